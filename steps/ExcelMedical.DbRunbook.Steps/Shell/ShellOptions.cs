using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.Shell;

public sealed class ShellOptions
{
    [Required]
    [Description("The program to run: a name found on PATH or a path. It is started directly, never through a shell.")]
    public string Program { get; set; } = string.Empty;

    [Description("Arguments, one list item each; no shell quoting or expansion applies.")]
    public List<string> Args { get; set; } = [];

    [Description("Extra environment variables for the program (pass secrets here, not in args).")]
    public Dictionary<string, string> Env { get; set; } = [];

    [Description("The folder to run in (default: the playbook's folder).")]
    public string? WorkingDirectory { get; set; }

    [Description("Exit codes that count as success.")]
    public List<int> SuccessExitCodes { get; set; } = [0];
}

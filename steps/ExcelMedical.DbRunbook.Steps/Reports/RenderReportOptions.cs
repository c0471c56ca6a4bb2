using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.Reports;

public sealed class RenderReportOptions
{
    [Required]
    [Description("The Scriban template file, relative to the playbook (e.g. templates/backup_summary.sbn). It sees run, vars, env and steps.")]
    public string Template { get; set; } = string.Empty;

    [Required]
    [Description("The file to write (created 0600, its folder 0700).")]
    public string Output { get; set; } = string.Empty;
}

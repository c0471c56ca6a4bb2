using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Steps.Backups;

public sealed class ChecksumOptions : IValidatableObject
{
    [Description("Checksum every file in this folder whose name matches pattern, e.g. \"{{ vars.day }}\".")]
    public string? Folder { get; set; }

    [Description("Checksum these files (with or instead of folder); each must exist and lie inside the manifest's folder.")]
    public List<string> Files { get; set; } = [];

    [Description("Which file names of folder to include (* and ? wildcards).")]
    public string Pattern { get; set; } = "*";

    [Description("Include the files of folder's subfolders (e.g. verification/), named by their relative path.")]
    public bool Recursive { get; set; } = true;

    [Description("Leave out files whose name or relative path matches one of these patterns. The manifest itself, *.partial files and this run's log file are always left out.")]
    public List<string> Exclude { get; set; } = [];

    [Description("Where to write the sha256sum-format manifest (default: SHA256SUMS in folder, or in the listed files' folder). Check it with `cd <its folder> && sha256sum -c SHA256SUMS`.")]
    public string? Manifest { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Folder) && Files.Count == 0)
        {
            yield return new ValidationResult("give folder, files or both: there is nothing to checksum");
        }

        if (string.IsNullOrWhiteSpace(Pattern))
        {
            yield return new ValidationResult("pattern may not be empty (use * for every file)");
        }
    }
}

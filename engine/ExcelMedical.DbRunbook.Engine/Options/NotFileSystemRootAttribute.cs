using System.ComponentModel.DataAnnotations;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>
/// A folder option that may not be the file system root (<c>/</c>, or a spelling of it such as
/// <c>//</c> or <c>/tmp/..</c>): the folder a destructive step deletes in. Checked by
/// `runbook validate` when the value is written literally, and at run time after rendering,
/// before the step starts.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotFileSystemRootAttribute : ValidationAttribute
{
    public NotFileSystemRootAttribute()
        : base("must not be the file system root '/'; name the folder itself")
    {
    }

    public override bool IsValid(object? value) =>
        value is not string text || !Path.IsPathRooted(text.Trim()) || !IsRoot(text.Trim());

    private static bool IsRoot(string path)
    {
        var full = Path.GetFullPath(path);
        return string.Equals(full, Path.GetPathRoot(full), StringComparison.Ordinal);
    }
}

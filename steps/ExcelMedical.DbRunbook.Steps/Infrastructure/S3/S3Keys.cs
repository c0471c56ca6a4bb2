namespace ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

/// <summary>The key layout s3.upload writes and the restores read back.</summary>
internal static class S3Keys
{
    /// <summary>A folder-like key prefix: no leading /, and a trailing / unless it is empty.</summary>
    public static string NormalizePrefix(string prefix)
    {
        var trimmed = prefix.Trim().TrimStart('/');
        return trimmed.Length == 0 || trimmed.EndsWith('/') ? trimmed : trimmed + "/";
    }
}

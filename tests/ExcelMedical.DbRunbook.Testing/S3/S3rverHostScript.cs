namespace ExcelMedical.DbRunbook.Testing.S3;

/// <summary>s3rver-host.js, embedded in this assembly: starts s3rver and decodes aws-chunked uploads for it.</summary>
internal static class S3rverHostScript
{
    private const string ResourceName = "ExcelMedical.DbRunbook.Testing.S3.s3rver-host.js";

    /// <summary>Writes the script into <paramref name="directory"/> and returns its path.</summary>
    public static async Task<string> WriteToAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "s3rver-host.js");
        await using var script = typeof(S3rverHostScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from {typeof(S3rverHostScript).Assembly.GetName().Name}");
        await using var file = File.Create(path);
        await script.CopyToAsync(file, cancellationToken);
        return path;
    }
}

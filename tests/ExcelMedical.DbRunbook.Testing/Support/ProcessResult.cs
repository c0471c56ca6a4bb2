namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>What a finished child process printed and how it exited.</summary>
public sealed record ProcessResult(string FileName, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The command line and its output, for error messages.</summary>
    public string Describe() =>
        $"`{FileName} {string.Join(' ', Arguments)}` exited with {ExitCode}"
        + (StandardOutput.Length > 0 ? $"\n--- stdout ---\n{StandardOutput.TrimEnd()}" : "")
        + (StandardError.Length > 0 ? $"\n--- stderr ---\n{StandardError.TrimEnd()}" : "");

    public ProcessResult EnsureSuccess() =>
        Succeeded ? this : throw new InvalidOperationException(Describe());
}

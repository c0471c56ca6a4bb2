namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>Who the test process runs as (CI runs as root, developers usually do not).</summary>
public static class CurrentUser
{
    private static readonly Lazy<bool> Root = new(DetectRoot);

    public static bool IsRoot => Root.Value;

    private static bool DetectRoot()
    {
        // The effective uid decides what the kernel allows; the user name is only a fallback.
        const string StatusFile = "/proc/self/status";
        if (File.Exists(StatusFile))
        {
            var uidLine = File.ReadLines(StatusFile).FirstOrDefault(line => line.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = uidLine?.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields is { Length: >= 3 })
            {
                return fields[2] == "0";
            }
        }

        return Environment.UserName == "root";
    }
}

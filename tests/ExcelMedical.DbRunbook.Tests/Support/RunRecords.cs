using System.Text.Json;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>Reads the JSON run records a test's runs left in the state directory.</summary>
public static class RunRecords
{
    /// <summary>
    /// The file of the most recently started run. Ordered by the recorded start time, not the file
    /// name: two runs within one second share the name's timestamp and differ only by a random suffix.
    /// </summary>
    public static string LatestFile(string stateDirectory, string playbook)
    {
        var folder = Path.Combine(stateDirectory, "runs", playbook);
        return Directory.GetFiles(folder, "*.json")
            .Select(file => (File: file, Started: StartedOf(file)))
            .OrderBy(entry => entry.Started)
            .ThenBy(entry => entry.File, StringComparer.Ordinal)
            .Last().File;
    }

    public static JsonElement Latest(string stateDirectory, string playbook) =>
        JsonDocument.Parse(File.ReadAllText(LatestFile(stateDirectory, playbook))).RootElement.Clone();

    public static string LatestText(string stateDirectory, string playbook) => File.ReadAllText(LatestFile(stateDirectory, playbook));

    public static JsonElement Step(this JsonElement record, string id) =>
        record.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    public static string Status(this JsonElement step) => step.GetProperty("status").GetString()!;

    private static DateTimeOffset StartedOf(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.GetProperty("started").GetDateTimeOffset();
    }
}

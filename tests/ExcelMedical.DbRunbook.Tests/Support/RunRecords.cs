using System.Text.Json;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>Reads the JSON run records a test's runs left in the state directory.</summary>
public static class RunRecords
{
    public static JsonElement Latest(string stateDirectory, string playbook)
    {
        var folder = Path.Combine(stateDirectory, "runs", playbook);
        var file = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Last();
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone();
    }

    public static string LatestText(string stateDirectory, string playbook)
    {
        var folder = Path.Combine(stateDirectory, "runs", playbook);
        return File.ReadAllText(Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Last());
    }

    public static JsonElement Step(this JsonElement record, string id) =>
        record.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    public static string Status(this JsonElement step) => step.GetProperty("status").GetString()!;
}

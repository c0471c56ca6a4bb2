using System.Globalization;
using System.Text.Json;
using ExcelMedical.DbRunbook.Engine.State;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>One step of a recorded run, as its JSON run record keeps it.</summary>
internal sealed record RecordedStep(string Id, string Status, DateTimeOffset? Started, JsonElement Outputs)
{
    public bool Succeeded => Status == "succeeded";

    public string? Text(string name) =>
        Outputs.ValueKind == JsonValueKind.Object && Outputs.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool Flag(string name) =>
        Outputs.ValueKind == JsonValueKind.Object && Outputs.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>A map output of numbers, e.g. pg_verify's table_rows or mongo_dump's collection_counts.</summary>
    public IReadOnlyDictionary<string, long>? Numbers(string name) =>
        Map(name)?.Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Key, p => p.Value.GetInt64(), StringComparer.Ordinal);

    /// <summary>A map output of text, e.g. pg_dump's table_checksums or s3's objects.</summary>
    public IReadOnlyDictionary<string, string>? Texts(string name) =>
        Map(name)?.Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Key, p => p.Value.GetString()!, StringComparer.Ordinal);

    private IEnumerable<KeyValuePair<string, JsonElement>>? Map(string name) =>
        Outputs.ValueKind == JsonValueKind.Object && Outputs.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Select(p => new KeyValuePair<string, JsonElement>(p.Name, p.Value))
            : null;
}

/// <summary>A run of the backup playbook as its record in the state directory describes it.</summary>
internal sealed record RecordedRun(string Id, string Path, DateTimeOffset Started, string Status, IReadOnlyList<RecordedStep> Steps)
{
    public RecordedStep? Step(string id) => Steps.FirstOrDefault(s => s.Id == id);
}

/// <summary>
/// Reads the run records the backup playbook left (<c>$RUNBOOK_STATE_DIR/runs/&lt;playbook&gt;/*.json</c>):
/// what each backup run wrote, verified and recorded about every table and collection at dump time,
/// the figures a restore drill compares a restored copy against.
/// </summary>
internal static class BackupRuns
{
    public static string FolderOf(string stateDirectory, string playbook) =>
        System.IO.Path.Combine(new RunStore(stateDirectory).RunsDirectory, StateDirectory.FileNameOf(playbook));

    /// <summary>The recorded runs of <paramref name="playbook"/>, newest first; dry runs and unreadable records are left out.</summary>
    public static IReadOnlyList<RecordedRun> Read(string stateDirectory, string playbook)
    {
        var folder = FolderOf(stateDirectory, playbook);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(folder, "*.json")
            .Select(ReadOne)
            .OfType<RecordedRun>()
            .OrderByDescending(run => run.Started)];
    }

    private static RecordedRun? ReadOne(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.TryGetProperty("dry_run", out var dryRun) && dryRun.ValueKind == JsonValueKind.True)
            {
                return null;
            }

            var steps = root.TryGetProperty("steps", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(step => new RecordedStep(
                    step.GetProperty("id").GetString()!,
                    step.TryGetProperty("status", out var status) ? status.GetString() ?? string.Empty : string.Empty,
                    step.TryGetProperty("started", out var started) && started.ValueKind == JsonValueKind.String ? DateTimeOffset.Parse(started.GetString()!, CultureInfo.InvariantCulture) : null,
                    step.TryGetProperty("outputs", out var outputs) ? outputs.Clone() : default)).ToList()
                : [];
            return new RecordedRun(
                root.GetProperty("id").GetString()!,
                path,
                root.GetProperty("started").GetDateTimeOffset(),
                root.TryGetProperty("status", out var runStatus) ? runStatus.GetString() ?? string.Empty : string.Empty,
                steps);
        }
        catch (Exception ex) when (ex is JsonException or IOException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

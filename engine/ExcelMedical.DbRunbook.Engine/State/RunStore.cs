using System.Text.Json;
using System.Text.Json.Serialization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>Run records as JSON files under <c>&lt;state&gt;/runs/&lt;playbook&gt;/</c>, and the history read back from them.</summary>
public sealed class RunStore(string stateDirectory)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string RunsDirectory => Path.Combine(stateDirectory, "runs");

    /// <summary>Writes the record, masked like every other output, and returns its path.</summary>
    public string Save(RunRecord record, SecretMasker masker)
    {
        var folder = Path.Combine(RunsDirectory, StateDirectory.FileNameOf(record.Playbook));
        var path = Path.Combine(folder, $"{record.Id}.json");
        SecureFiles.WriteAllText(path, masker.Apply(Serialize(record)));
        return path;
    }

    public static string Serialize(RunRecord record) => JsonSerializer.Serialize(record, JsonOptions);

    /// <summary>The most recent runs first, optionally of one playbook.</summary>
    public IReadOnlyList<RunSummary> History(string? playbook = null, int limit = 20)
    {
        if (!Directory.Exists(RunsDirectory))
        {
            return [];
        }

        var folders = playbook is null
            ? Directory.GetDirectories(RunsDirectory)
            : [Path.Combine(RunsDirectory, StateDirectory.FileNameOf(playbook))];
        return [.. folders
            .Where(Directory.Exists)
            .SelectMany(f => Directory.GetFiles(f, "*.json"))
            .Select(ReadSummary)
            .OfType<RunSummary>()
            .OrderByDescending(r => r.Started)
            .Take(limit)];
    }

    private static RunSummary? ReadSummary(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The part of a run record that <c>runbook history</c> shows.</summary>
public sealed record RunSummary(
    string Id,
    string Playbook,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    RunStatus Status,
    int ExitCode,
    string? Trigger,
    string? Error,
    IReadOnlyList<RunSummaryStep>? Steps,
    DateTimeOffset? Tick = null,
    string? Message = null);

public sealed record RunSummaryStep(string Id, string Uses, StepStatus Status, string? Message);

using System.Text.Json;
using System.Text.Json.Serialization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Reporting;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>A run as its saved record describes it, read back by <see cref="RunStore"/>.</summary>
public sealed record StoredRun(
    string Id,
    string Playbook,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    RunStatus Status,
    int ExitCode,
    bool DryRun,
    string? Trigger,
    string? Error,
    string? LogFile,
    IReadOnlyList<StoredStep>? Steps,
    DateTimeOffset? Tick = null,
    string? Message = null,
    string? Host = null,
    int? Pid = null)
{
    /// <summary>The record's file.</summary>
    [JsonIgnore]
    public string Path { get; init; } = string.Empty;

    [JsonIgnore]
    public IReadOnlyList<StoredStep> StepList => Steps ?? [];

    public StoredStep? Step(string id) => StepList.FirstOrDefault(s => s.Id == id);
}

/// <summary>One step of a saved run; its outputs as plain text, numbers, flags, lists and maps.</summary>
public sealed record StoredStep(
    string Id,
    string Uses,
    StepStatus Status,
    string? Message,
    DateTimeOffset? Started,
    [property: JsonPropertyName("outputs")] Dictionary<string, JsonElement>? RawOutputs) : IStepView
{
    private IReadOnlyDictionary<string, object?>? _plain;

    public bool Succeeded => Status == StepStatus.Succeeded;

    /// <summary>The outputs as plain values: read them with <see cref="OutputValues"/>.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, object?> Outputs =>
        _plain ??= (RawOutputs ?? []).ToDictionary(pair => pair.Key, pair => RunModel.ToPlain(pair.Value), StringComparer.Ordinal);
}

namespace ExcelMedical.DbRunbook.Engine.Model;

/// <summary>A parsed playbook. Values stay as templates; they are rendered when the run starts.</summary>
internal sealed record Playbook(
    string Name,
    string? Description,
    Located<string>? Schedule,
    Located<string>? TimeZone,
    Located<string>? EnvFile,
    IReadOnlyList<VariableDefinition> Vars,
    IReadOnlyList<ConnectionDefinition> Connections,
    ScalarNode? Log,
    IReadOnlyList<StepDefinition> Steps,
    IReadOnlyList<NotifierDefinition> Notify,
    string FilePath,
    SourceLocation Location)
{
    /// <summary>The folder relative paths in the playbook resolve against.</summary>
    public string Directory => Path.GetDirectoryName(Path.GetFullPath(FilePath)) ?? ".";

    /// <summary><c>catch_up</c>: how late a run missed while the scheduler was down may still be made up on start.</summary>
    public Located<TimeSpan>? CatchUp { get; init; }

    /// <summary><c>coordination</c>: the PostgreSQL connection through which schedulers on several hosts share the ticks.</summary>
    public Located<string>? Coordination { get; init; }
}

/// <summary>A value together with where it was written.</summary>
internal sealed record Located<T>(T Value, SourceLocation Location);

internal sealed record VariableDefinition(string Name, ValueNode Value, SourceLocation Location);

internal sealed record ConnectionDefinition(string Name, MappingNode Fields, SourceLocation Location);

internal sealed record StepDefinition(
    string Id,
    string? Name,
    Located<string> Uses,
    MappingNode With,
    ScalarNode? When,
    int Retries,
    TimeSpan RetryDelay,
    TimeSpan? Timeout,
    bool ContinueOnError,
    bool Always,
    SourceLocation Location)
{
    public string DisplayName => Name ?? Id;
}

/// <summary>When a notifier fires, relative to how the run ended.</summary>
internal enum NotifyTrigger
{
    Success,
    Failure,
    Cancelled,
    Alert,
    Always,
}

internal sealed record NotifierDefinition(
    int Index,
    Located<string> Uses,
    IReadOnlySet<NotifyTrigger> On,
    ScalarNode? When,
    MappingNode With,
    SourceLocation Location)
{
    public string Id => $"notify_{Index + 1}";
}

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>A connection of the playbook with its fields rendered (host, port, user, password, database, uri…).</summary>
public sealed record ConnectionSettings(string Name, IReadOnlyDictionary<string, string> Fields)
{
    public string? Get(string field) => Fields.TryGetValue(field, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}

/// <summary>The rendered connections of a run, looked up by the name a step's <c>connection</c> option gives.</summary>
public sealed class ConnectionRegistry(IReadOnlyDictionary<string, ConnectionSettings> connections)
{
    public static ConnectionRegistry Empty { get; } = new(new Dictionary<string, ConnectionSettings>());

    public IEnumerable<string> Names => connections.Keys;

    public ConnectionSettings Get(string name) =>
        connections.TryGetValue(name, out var settings)
            ? settings
            : throw new Steps.StepFailedException($"unknown connection '{name}': define it under 'connections:' in the playbook");
}

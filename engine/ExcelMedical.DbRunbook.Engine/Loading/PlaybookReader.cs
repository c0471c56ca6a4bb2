using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>Turns a YAML tree into a <see cref="Playbook"/>, reporting every structural problem.</summary>
internal static partial class PlaybookReader
{
    public static readonly IReadOnlyList<string> PlaybookKeys =
        ["name", "description", "schedule", "time_zone", "catch_up", "coordination", "env_file", "vars", "connections", "log", "steps", "notify"];

    public static readonly IReadOnlyList<string> StepKeys =
        ["id", "name", "uses", "with", "when", "retries", "retry_delay", "timeout", "continue_on_error", "always"];

    public static readonly IReadOnlyList<string> NotifierKeys = ["uses", "on", "when", "with"];

    public static readonly IReadOnlyList<string> ConnectionKeys =
        ["type", "host", "port", "user", "password", "database", "uri", "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"];

    /// <summary>Loads a playbook file within <see cref="LoadLimits.Default"/>; returns null when it is too broken to describe.</summary>
    public static Playbook? Load(string path, DiagnosticBag diagnostics) =>
        BoundedTextFile.TryRead(path, LoadLimits.Default.MaxPlaybookBytes, "the playbook", diagnostics) is { } text
            ? Parse(text, path, diagnostics)
            : null;

    public static Playbook? Parse(string text, string path, DiagnosticBag diagnostics) =>
        Parse(text, path, diagnostics, new LoadBudget(LoadLimits.Default));

    public static Playbook? Parse(string text, string path, DiagnosticBag diagnostics, LoadBudget budget)
    {
        var root = YamlTreeReader.Read(text, path, diagnostics, budget);
        if (root is null)
        {
            if (!diagnostics.HasErrors)
            {
                diagnostics.Add(new SourceLocation(path, 1, 1), "the playbook is empty");
            }

            return null;
        }

        if (root is not MappingNode mapping)
        {
            diagnostics.Add(root.Location, "a playbook must be a mapping with at least 'name' and 'steps'");
            return null;
        }

        var top = new MappingReader(mapping, [.. PlaybookKeys], "the playbook", diagnostics);
        var name = top.Text("name")?.Value ?? Path.GetFileNameWithoutExtension(path);
        var steps = ReadSteps(top, diagnostics);
        return new Playbook(
            name,
            top.Text("description")?.Value,
            top.Text("schedule"),
            top.Text("time_zone"),
            top.Text("env_file"),
            ReadVars(top, diagnostics),
            ReadConnections(top, diagnostics),
            top.Scalar("log"),
            steps,
            ReadNotifiers(top, diagnostics),
            path,
            mapping.Location)
        {
            CatchUp = top.Duration("catch_up") is { } window ? new Located<TimeSpan>(window, top.Node("catch_up")!.Location) : null,
            Coordination = top.Text("coordination"),
        };
    }

    private static List<VariableDefinition> ReadVars(MappingReader top, DiagnosticBag diagnostics)
    {
        var vars = new List<VariableDefinition>();
        foreach (var entry in top.Mapping("vars")?.Entries ?? [])
        {
            if (!IdentifierRegex().IsMatch(entry.Name))
            {
                diagnostics.Add(entry.Key.Location, $"variable name '{entry.Name}' must start with a letter and use only letters, digits and _");
            }

            vars.Add(new VariableDefinition(entry.Name, entry.Value, entry.Key.Location));
        }

        return vars;
    }

    private static List<ConnectionDefinition> ReadConnections(MappingReader top, DiagnosticBag diagnostics)
    {
        var connections = new List<ConnectionDefinition>();
        foreach (var entry in top.Mapping("connections")?.Entries ?? [])
        {
            if (entry.Value is not MappingNode fields)
            {
                diagnostics.Add(entry.Value.Location, $"connection '{entry.Name}' must be a mapping such as {{ host: ..., port: ..., user: ..., password: ..., database: ... }} or {{ uri: ... }}");
                continue;
            }

            MappingReader.ReportUnknownKeys(fields, [.. ConnectionKeys], $"connection '{entry.Name}'", diagnostics);
            foreach (var field in fields.Entries.Where(f => f.Value is not ScalarNode))
            {
                diagnostics.Add(field.Value.Location, $"connection field '{field.Name}' must be a single value");
            }

            connections.Add(new ConnectionDefinition(entry.Name, fields, entry.Key.Location));
        }

        return connections;
    }

    private static List<StepDefinition> ReadSteps(MappingReader top, DiagnosticBag diagnostics)
    {
        var steps = new List<StepDefinition>();
        var sequence = top.Sequence("steps");
        if (sequence is null)
        {
            if (top.Node("steps") is null)
            {
                diagnostics.Add(top.Location, "the playbook is missing the required key 'steps'");
            }

            return steps;
        }

        if (sequence.Items.Count == 0)
        {
            diagnostics.Add(sequence.Location, "'steps' is empty: a playbook needs at least one step");
        }

        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var item in sequence.Items)
        {
            if (item is not MappingNode node)
            {
                diagnostics.Add(item.Location, "each step must be a mapping with at least 'id' and 'uses'");
                continue;
            }

            var reader = new MappingReader(node, [.. StepKeys], "a step", diagnostics);
            var id = reader.RequiredText("id");
            var uses = reader.RequiredText("uses");
            if (id is not null)
            {
                if (!IdentifierRegex().IsMatch(id.Value))
                {
                    diagnostics.Add(id.Location, $"step id '{id.Value}' must start with a letter and use only letters, digits and _ (it is used as steps.{id.Value} in templates)");
                }
                else if (seen.TryGetValue(id.Value, out var first))
                {
                    diagnostics.Add(id.Location, $"duplicate step id '{id.Value}' (first used at line {first.Line})");
                }
                else
                {
                    seen[id.Value] = id.Location;
                }
            }

            steps.Add(new StepDefinition(
                id?.Value ?? $"step_{steps.Count + 1}",
                reader.Text("name")?.Value,
                uses ?? new Located<string>(string.Empty, node.Location),
                reader.Mapping("with") ?? MappingNode.Empty(node.Location),
                reader.Scalar("when"),
                reader.Int("retries", 0, 0, 100),
                reader.Duration("retry_delay", max: Duration.LongestTimer) ?? TimeSpan.FromSeconds(10),
                reader.Duration("timeout", positive: true, max: Duration.LongestTimer),
                reader.Bool("continue_on_error", false),
                reader.Bool("always", false),
                node.Location));
        }

        return steps;
    }

    private static List<NotifierDefinition> ReadNotifiers(MappingReader top, DiagnosticBag diagnostics)
    {
        var notifiers = new List<NotifierDefinition>();
        foreach (var item in top.Sequence("notify")?.Items ?? [])
        {
            if (item is not MappingNode node)
            {
                diagnostics.Add(item.Location, "each notify entry must be a mapping with at least 'uses'");
                continue;
            }

            var reader = new MappingReader(node, [.. NotifierKeys], "a notify entry", diagnostics);
            var uses = reader.RequiredText("uses");
            notifiers.Add(new NotifierDefinition(
                notifiers.Count,
                uses ?? new Located<string>(string.Empty, node.Location),
                ReadTriggers(reader, diagnostics),
                reader.Scalar("when"),
                reader.Mapping("with") ?? MappingNode.Empty(node.Location),
                node.Location));
        }

        return notifiers;
    }

    private static HashSet<NotifyTrigger> ReadTriggers(MappingReader reader, DiagnosticBag diagnostics)
    {
        var node = reader.Node("on");
        IReadOnlyList<ValueNode> items = node switch
        {
            null => [],
            SequenceNode s => s.Items,
            _ => [node],
        };

        var triggers = new HashSet<NotifyTrigger>();
        var names = Enum.GetNames<NotifyTrigger>().Select(n => n.ToLowerInvariant()).ToList();
        foreach (var item in items)
        {
            if (item is ScalarNode { Value: { } text } && Enum.TryParse<NotifyTrigger>(text, ignoreCase: true, out var trigger) && names.Contains(text))
            {
                triggers.Add(trigger);
            }
            else
            {
                var typed = (item as ScalarNode)?.Value ?? item.Shape;
                diagnostics.Add(item.Location, $"unknown notify trigger '{typed}': use {string.Join(", ", names)}{DidYouMean.Hint(typed, names)}");
            }
        }

        // Without 'on', tell the operator about everything that ends a run.
        return triggers.Count > 0 || node is not null
            ? triggers
            : [NotifyTrigger.Success, NotifyTrigger.Failure, NotifyTrigger.Cancelled, NotifyTrigger.Alert];
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    internal static partial Regex IdentifierRegex();
}

using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>
/// The static checks of a playbook, run before anything executes: cron, time zone, env_file, step
/// names, options, connections, template syntax and what every template refers to. Linear in the
/// size of the playbook: names are looked up in dictionaries, and costly hints are skipped once
/// the diagnostics are full.
/// </summary>
/// <param name="environment">What the templates' <c>env</c> holds here (for warnings about unset variables in paths).</param>
/// <param name="budget">The load's time and memory budget, checked as values are visited.</param>
internal sealed class PlaybookValidator(StepCatalog catalog, TemplateEngine templates, IReadOnlyDictionary<string, string>? environment = null, LoadBudget? budget = null)
{
    private readonly LoadBudget _budget = budget ?? LoadBudget.Unlimited;

    public void Validate(Playbook playbook, DiagnosticBag diagnostics)
    {
        ScheduleCheck.Check(playbook, diagnostics);
        CheckCoordination(playbook, diagnostics);
        var seen = EnvFileCheck.Check(playbook, environment ?? new Dictionary<string, string>(), _budget.Limits, diagnostics);

        // Without the environment a run will see, "not set" cannot be judged.
        var paths = environment is null ? null : new EmptyPathCheck(seen);
        var names = new Names(playbook);
        for (var index = 0; index < playbook.Vars.Count; index++)
        {
            var variable = playbook.Vars[index];
            var analysis = CheckTemplates(variable.Value, diagnostics, new TemplateRules($"variable '{variable.Name}'", names, index, null) { Paths = paths });
            paths?.Learn(variable, analysis?.Leading);
        }

        var allVars = playbook.Vars.Count;
        foreach (var connection in playbook.Connections)
        {
            ConnectionCheck.Check(connection, diagnostics);
            SslModeCheck.Check(connection, diagnostics);
            CheckTemplates(connection.Fields, diagnostics, new TemplateRules($"connection '{connection.Name}'", names, allVars, null));
        }

        if (playbook.Log is not null)
        {
            CheckTemplates(playbook.Log, diagnostics, new TemplateRules("the log path", names, allVars, null) { Paths = paths });
        }

        var connections = playbook.Connections.Select(c => c.Name).ToList();
        var steps = playbook.Steps;
        for (var index = 0; index < steps.Count; index++)
        {
            var step = steps[index];
            var rules = new TemplateRules($"step '{step.Id}'", names, allVars, index) { StepId = step.Id, Paths = paths };
            CheckStepUse(step.Uses, step.With, $"step '{step.Id}'", connections, diagnostics, rules);
            CheckTemplates(step.With, diagnostics, rules);
            if (step.When is not null)
            {
                CheckCondition(step.When, diagnostics, rules with { Paths = null });
            }
        }

        foreach (var notifier in playbook.Notify)
        {
            var rules = new TemplateRules($"notify entry '{notifier.Uses.Value}'", names, allVars, steps.Count) { Paths = paths };
            CheckStepUse(notifier.Uses, notifier.With, $"notify entry '{notifier.Uses.Value}'", connections, diagnostics, rules);
            CheckTemplates(notifier.With, diagnostics, rules);
            if (notifier.When is not null)
            {
                CheckCondition(notifier.When, diagnostics, rules with { Paths = null });
            }
        }
    }

    /// <summary><c>coordination</c> names a PostgreSQL connection of the playbook (the advisory locks live there).</summary>
    private static void CheckCoordination(Playbook playbook, DiagnosticBag diagnostics)
    {
        if (playbook.Coordination is not { } coordination)
        {
            return;
        }

        var names = playbook.Connections.Select(c => c.Name).ToList();
        var connection = playbook.Connections.FirstOrDefault(c => c.Name == coordination.Value);
        if (connection is null)
        {
            var hint = names.Count == 0 ? " (the playbook defines no connections)" : DidYouMean.Hint(coordination.Value, names);
            diagnostics.Add(coordination.Location, $"'coordination' names the connection '{coordination.Value}', which is not defined under 'connections:'{hint}");
            return;
        }

        var type = (connection.Fields.Find("type")?.Value as ScalarNode)?.Value;
        var isPostgres = type is null
            ? connection.Fields.Find("uri") is null || connection.Fields.Find("host") is not null
            : type is "postgres" or "postgresql";
        if (!isPostgres)
        {
            diagnostics.Add(coordination.Location, $"'coordination' needs a PostgreSQL connection (host, port, user, password, database); '{coordination.Value}' is not one");
        }
    }

    private void CheckStepUse(Located<string> uses, MappingNode with, string owner, List<string> connections, DiagnosticBag diagnostics, TemplateRules rules)
    {
        if (uses.Value.Length == 0)
        {
            return;
        }

        var descriptor = catalog.Find(uses.Value);
        if (descriptor is null)
        {
            diagnostics.Add(uses.Location, $"unknown step '{uses.Value}'{DidYouMean.Hint(uses.Value, catalog.Names)}; `runbook steps` lists them all");
            return;
        }

        var bound = OptionsBinder.Bind(descriptor.OptionsType, with, LiteralScalarSource.Instance, $"{owner} ({descriptor.Name})");
        diagnostics.AddRange(bound.Diagnostics);
        foreach (var option in descriptor.Options.Where(o => o.IsConnection))
        {
            if (with.Find(option.Name)?.Value is ScalarNode { Value: { } name } node && !TemplateEngine.IsTemplate(name) && !connections.Contains(name))
            {
                var hint = connections.Count == 0 ? " (the playbook defines no connections)" : DidYouMean.Hint(name, connections);
                diagnostics.Add(node.Location, $"unknown connection '{name}' in '{option.Name}' of {owner}{hint}");
            }
        }

        foreach (var option in descriptor.Options.Where(o => o.IsStepReference))
        {
            var value = with.Find(option.Name)?.Value;
            var named = value switch
            {
                ScalarNode scalar => [scalar],
                SequenceNode sequence => sequence.Items.OfType<ScalarNode>(),
                _ => [],
            };
            foreach (var node in named.Where(n => n.Value is { Length: > 0 } && !TemplateEngine.IsTemplate(n.Value)))
            {
                CheckNamedStep(node.Value!, $"'{option.Name}' of {rules.Where}", node.Location, diagnostics, rules);
            }
        }
    }

    /// <summary>An option that names a step (<see cref="StepReferenceAttribute"/>) must name one that runs before.</summary>
    private static void CheckNamedStep(string id, string what, SourceLocation location, DiagnosticBag diagnostics, TemplateRules rules)
    {
        if (rules.Steps is not { } visible || rules.Names.StepIndex(id) < visible || diagnostics.IsFull)
        {
            return;
        }

        var named = rules.Names.Step(id);
        diagnostics.Add(location, id == rules.StepId
            ? $"{what} names the step itself; name a step that runs before it"
            : named is not null
            ? $"{what} names step '{id}' (line {named.Location.Line}), which runs later; it can only name steps that ran before it"
            : $"{what} names the step '{id}', but there is no step '{id}'{DidYouMean.Hint(id, rules.Names.StepIds)}");
    }

    private void CheckCondition(ScalarNode condition, DiagnosticBag diagnostics, TemplateRules rules)
    {
        if (condition.Value is null)
        {
            return;
        }

        CheckTemplate(condition with { Value = TemplateEngine.AsTemplate(condition.Value) }, diagnostics, rules, condition.Value != TemplateEngine.AsTemplate(condition.Value));
    }

    /// <summary>Checks every template in <paramref name="node"/>; returns what was learnt when the node is one templated value.</summary>
    private TemplateAnalysis? CheckTemplates(ValueNode node, DiagnosticBag diagnostics, TemplateRules rules)
    {
        _budget.Check();
        switch (node)
        {
            case ScalarNode scalar:
                return CheckTemplate(scalar, diagnostics, rules, wrapped: false);
            case SequenceNode sequence:
                foreach (var item in sequence.Items)
                {
                    CheckTemplates(item, diagnostics, rules);
                }

                break;
            case MappingNode mapping:
                foreach (var entry in mapping.Entries)
                {
                    CheckTemplates(entry.Value, diagnostics, rules);
                }

                break;
        }

        return null;
    }

    private TemplateAnalysis? CheckTemplate(ScalarNode scalar, DiagnosticBag diagnostics, TemplateRules rules, bool wrapped)
    {
        if (!TemplateEngine.IsTemplate(scalar.Value))
        {
            return null;
        }

        var analysis = templates.Analyze(scalar.Value!, scalar.Location, scalar.IsQuoted);
        if (analysis.Errors.Count > 0)
        {
            // A bare condition was wrapped in "{{ " for parsing; point at the user's text.
            diagnostics.AddRange(wrapped ? analysis.Errors.Select(e => e with { Location = scalar.Location }) : analysis.Errors);
            return analysis;
        }

        rules.Paths?.Check(scalar, analysis.Leading, diagnostics);
        foreach (var name in analysis.References.Vars.Where(v => rules.Names.VarIndex(v) >= rules.Vars))
        {
            if (diagnostics.IsFull)
            {
                break;
            }

            var later = rules.Names.Var(name);
            diagnostics.Add(scalar.Location, later is not null
                ? $"{rules.Where} reads 'vars.{name}', which is declared below (line {later.Location.Line}); a variable can only read the variables above it"
                : $"unknown variable 'vars.{name}' in {rules.Where}{DidYouMean.Hint(name, rules.Names.VarNames)}; declare it under 'vars:' (--var can override it)");
        }

        foreach (var id in analysis.References.Steps)
        {
            CheckStepReference(id, scalar.Location, diagnostics, rules);
        }

        return analysis;
    }

    private static void CheckStepReference(string id, SourceLocation location, DiagnosticBag diagnostics, TemplateRules rules)
    {
        if (rules.Steps is not { } visible)
        {
            diagnostics.Add(location, $"{rules.Where} cannot read 'steps.{id}': variables, connections and the log path are set before any step runs");
            return;
        }

        if (rules.Names.StepIndex(id) < visible || diagnostics.IsFull)
        {
            return;
        }

        var later = rules.Names.Step(id);
        diagnostics.Add(location, later is not null
            ? $"{rules.Where} reads 'steps.{id}', but step '{id}' (line {later.Location.Line}) runs later; a step can only read steps that ran before it"
            : $"{rules.Where} reads 'steps.{id}', but there is no step '{id}'{DidYouMean.Hint(id, rules.Names.StepIds)}");
    }

    /// <summary>The playbook's variables and steps by name, with their order, for constant-time lookups.</summary>
    private sealed class Names
    {
        private readonly Dictionary<string, int> _vars = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _steps = new(StringComparer.Ordinal);
        private readonly Playbook _playbook;

        public Names(Playbook playbook)
        {
            _playbook = playbook;
            for (var i = 0; i < playbook.Vars.Count; i++)
            {
                _vars.TryAdd(playbook.Vars[i].Name, i);
            }

            for (var i = 0; i < playbook.Steps.Count; i++)
            {
                _steps.TryAdd(playbook.Steps[i].Id, i);
            }
        }

        public IEnumerable<string> VarNames => _vars.Keys;

        public IEnumerable<string> StepIds => _steps.Keys;

        /// <summary>The position of the variable, or int.MaxValue when there is none.</summary>
        public int VarIndex(string name) => _vars.GetValueOrDefault(name, int.MaxValue);

        public int StepIndex(string id) => _steps.GetValueOrDefault(id, int.MaxValue);

        public VariableDefinition? Var(string name) => _vars.TryGetValue(name, out var i) ? _playbook.Vars[i] : null;

        public StepDefinition? Step(string id) => _steps.TryGetValue(id, out var i) ? _playbook.Steps[i] : null;
    }

    /// <summary>
    /// What templates in one part of the playbook may refer to: the first <paramref name="Vars"/>
    /// variables, and the first <paramref name="Steps"/> steps (null: no step has run yet).
    /// </summary>
    private sealed record TemplateRules(string Where, Names Names, int Vars, int? Steps)
    {
        /// <summary>The step these rules are for, if they are a step's.</summary>
        public string? StepId { get; init; }

        /// <summary>Set where values may be paths (variables, the log, options): warns about paths from unset variables.</summary>
        public EmptyPathCheck? Paths { get; init; }
    }
}

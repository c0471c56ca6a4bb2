using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Engine.Templating;
using NCrontab;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>
/// The static checks of a playbook, run before anything executes: cron, time zone, step names,
/// options, connections, template syntax and what every template refers to.
/// </summary>
internal sealed class PlaybookValidator(StepCatalog catalog, TemplateEngine templates)
{
    public void Validate(Playbook playbook, DiagnosticBag diagnostics)
    {
        CheckSchedule(playbook, diagnostics);
        CheckCoordination(playbook, diagnostics);
        var declaredVars = new List<string>();
        foreach (var variable in playbook.Vars)
        {
            CheckTemplates(variable.Value, diagnostics, new TemplateRules($"variable '{variable.Name}'", declaredVars, playbook.Vars, null, null));
            declaredVars.Add(variable.Name);
        }

        var allVars = playbook.Vars.Select(v => v.Name).ToList();
        foreach (var connection in playbook.Connections)
        {
            SslModeCheck.Check(connection, diagnostics);
            CheckTemplates(connection.Fields, diagnostics, new TemplateRules($"connection '{connection.Name}'", allVars, playbook.Vars, null, null));
        }

        if (playbook.Log is not null)
        {
            CheckTemplates(playbook.Log, diagnostics, new TemplateRules("the log path", allVars, playbook.Vars, null, null));
        }

        var connections = playbook.Connections.Select(c => c.Name).ToList();
        var steps = playbook.Steps;
        for (var index = 0; index < steps.Count; index++)
        {
            var step = steps[index];
            var rules = new TemplateRules($"step '{step.Id}'", allVars, playbook.Vars, [.. steps.Take(index).Select(s => s.Id)], steps) { StepId = step.Id };
            CheckStepUse(step.Uses, step.With, $"step '{step.Id}'", connections, diagnostics, rules);
            CheckTemplates(step.With, diagnostics, rules);
            if (step.When is not null)
            {
                CheckCondition(step.When, diagnostics, rules);
            }
        }

        var everyStep = steps.Select(s => s.Id).ToList();
        foreach (var notifier in playbook.Notify)
        {
            var rules = new TemplateRules($"notify entry '{notifier.Uses.Value}'", allVars, playbook.Vars, everyStep, steps);
            CheckStepUse(notifier.Uses, notifier.With, $"notify entry '{notifier.Uses.Value}'", connections, diagnostics, rules);
            CheckTemplates(notifier.With, diagnostics, rules);
            if (notifier.When is not null)
            {
                CheckCondition(notifier.When, diagnostics, rules);
            }
        }
    }

    private static void CheckSchedule(Playbook playbook, DiagnosticBag diagnostics)
    {
        if (playbook.Schedule is { } schedule)
        {
            try
            {
                CrontabSchedule.Parse(schedule.Value);
            }
            catch (CrontabException ex)
            {
                diagnostics.Add(schedule.Location, $"'schedule' is not a valid cron expression ('{schedule.Value}'): use five fields, minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" ({FirstLine(ex.Message)})");
            }
        }

        if (playbook.TimeZone is { } zone)
        {
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(zone.Value);
            }
            catch (TimeZoneNotFoundException)
            {
                diagnostics.Add(zone.Location, $"unknown time zone '{zone.Value}': use an IANA name such as Europe/London or America/New_York");
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
        if (rules.Steps is null || rules.Steps.Contains(id))
        {
            return;
        }

        var named = rules.AllSteps?.FirstOrDefault(s => s.Id == id);
        diagnostics.Add(location, id == rules.StepId
            ? $"{what} names the step itself; name a step that runs before it"
            : named is not null
            ? $"{what} names step '{id}' (line {named.Location.Line}), which runs later; it can only name steps that ran before it"
            : $"{what} names the step '{id}', but there is no step '{id}'{DidYouMean.Hint(id, rules.AllSteps?.Select(s => s.Id) ?? [])}");
    }

    private void CheckCondition(ScalarNode condition, DiagnosticBag diagnostics, TemplateRules rules)
    {
        if (condition.Value is null)
        {
            return;
        }

        CheckTemplate(condition with { Value = TemplateEngine.AsTemplate(condition.Value) }, diagnostics, rules, condition.Value != TemplateEngine.AsTemplate(condition.Value));
    }

    private void CheckTemplates(ValueNode node, DiagnosticBag diagnostics, TemplateRules rules)
    {
        switch (node)
        {
            case ScalarNode scalar:
                CheckTemplate(scalar, diagnostics, rules, wrapped: false);
                break;
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
    }

    private void CheckTemplate(ScalarNode scalar, DiagnosticBag diagnostics, TemplateRules rules, bool wrapped)
    {
        if (!TemplateEngine.IsTemplate(scalar.Value))
        {
            return;
        }

        var errors = templates.Check(scalar.Value!, scalar.Location, scalar.IsQuoted);
        if (errors.Count > 0)
        {
            // A bare condition was wrapped in "{{ " for parsing; point at the user's text.
            diagnostics.AddRange(wrapped ? errors.Select(e => e with { Location = scalar.Location }) : errors);
            return;
        }

        var references = templates.References(scalar.Value!);
        foreach (var name in references.Vars.Where(v => !rules.Vars.Contains(v)))
        {
            var later = rules.AllVars.FirstOrDefault(v => v.Name == name);
            diagnostics.Add(scalar.Location, later is not null
                ? $"{rules.Where} reads 'vars.{name}', which is declared below (line {later.Location.Line}); a variable can only read the variables above it"
                : $"unknown variable 'vars.{name}' in {rules.Where}{DidYouMean.Hint(name, rules.AllVars.Select(v => v.Name))}; declare it under 'vars:' (--var can override it)");
        }

        foreach (var id in references.Steps)
        {
            CheckStepReference(id, scalar.Location, diagnostics, rules);
        }
    }

    private static void CheckStepReference(string id, SourceLocation location, DiagnosticBag diagnostics, TemplateRules rules)
    {
        if (rules.Steps is null)
        {
            diagnostics.Add(location, $"{rules.Where} cannot read 'steps.{id}': variables, connections and the log path are set before any step runs");
            return;
        }

        if (rules.Steps.Contains(id))
        {
            return;
        }

        var later = rules.AllSteps?.FirstOrDefault(s => s.Id == id);
        diagnostics.Add(location, later is not null
            ? $"{rules.Where} reads 'steps.{id}', but step '{id}' (line {later.Location.Line}) runs later; a step can only read steps that ran before it"
            : $"{rules.Where} reads 'steps.{id}', but there is no step '{id}'{DidYouMean.Hint(id, rules.AllSteps?.Select(s => s.Id) ?? [])}");
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>What templates in one part of the playbook may refer to.</summary>
    private sealed record TemplateRules(
        string Where,
        IReadOnlyList<string> Vars,
        IReadOnlyList<VariableDefinition> AllVars,
        IReadOnlyList<string>? Steps,
        IReadOnlyList<StepDefinition>? AllSteps)
    {
        /// <summary>The step these rules are for, if they are a step's.</summary>
        public string? StepId { get; init; }
    }
}

using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Templating;
using Scriban.Syntax;

namespace ExcelMedical.DbRunbook.Engine.Validation;

/// <summary>
/// Warns, before the run, about a value such as <c>{{ env.BACKUP_ROOT }}/x.txt</c> whose leading
/// expression is empty in this environment (the variable is not set here, or a variable above
/// reads one that is not): the run would refuse it (<see cref="TemplateEngine.RenderValue"/>).
/// Only a warning, because `runbook validate` may run where the production environment is not.
/// Follows the expressions that can be judged without running: <c>env.X</c>, <c>vars.y</c>,
/// <c>a ?? b</c>, literals; anything else is taken to be set.
/// </summary>
internal sealed class EmptyPathCheck(IReadOnlyDictionary<string, string> environment)
{
    /// <summary>Variables that are empty in this environment, with why.</summary>
    private readonly Dictionary<string, string> _emptyVars = new(StringComparer.Ordinal);

    /// <summary>After checking a variable: remember whether it is empty here, for the values below that read it.</summary>
    public void Learn(VariableDefinition variable, LeadingValue? leading)
    {
        if (leading is { IsWhole: true, Expressions: [var only] } && Judge(only) is { } empty)
        {
            _emptyVars[variable.Name] = empty.Why;
        }
    }

    /// <summary>Warns when <paramref name="scalar"/>, starting as <paramref name="leading"/> says, is a path from an empty value.</summary>
    public void Check(ScalarNode scalar, LeadingValue? leading, DiagnosticBag diagnostics)
    {
        if (leading is not { StartsPath: true })
        {
            return;
        }

        var judged = leading.Expressions.Select(Judge).ToList();
        if (judged.All(j => j is not null))
        {
            var why = string.Join("; ", judged.Select(j => j!.Why).Distinct(StringComparer.Ordinal));
            diagnostics.AddWarning(scalar.Location, $"this path starts with {string.Join(" and ", leading.Expressions.Select(e => $"'{e}'"))}, which is empty here ({why}), so it would start at '/'; a run refuses it unless that is set (or give a default with ??, e.g. {{{{ env.X ?? '/var/backups' }}}})");
        }
    }

    /// <summary>Null when the expression has (or may have) a value; otherwise why it is empty.</summary>
    private Empty? Judge(ScriptExpression? expression) => expression switch
    {
        ScriptNestedExpression nested => Judge(nested.Expression),
        ScriptLiteral { Value: null } => new Empty(IsNull: true, "null"),
        ScriptLiteral { Value: string { Length: 0 } } => new Empty(IsNull: false, "''"),
        ScriptMemberExpression { Target: ScriptVariableGlobal { Name: "env" }, Member: { } name } =>
            !environment.TryGetValue(name.ToString(), out var value) ? new Empty(IsNull: true, $"env.{name} is not set")
            : value.Length == 0 ? new Empty(IsNull: false, $"env.{name} is set to nothing")
            : null,
        ScriptMemberExpression { Target: ScriptVariableGlobal { Name: "vars" }, Member: { } name } =>
            _emptyVars.TryGetValue(name.ToString(), out var why) ? new Empty(IsNull: false, $"vars.{name} is empty: {why}") : null,
        // a ?? b: b when a is null; an empty (not null) a stays empty.
        ScriptBinaryExpression { Operator: ScriptBinaryOperator.EmptyCoalescing } coalesce => Judge(coalesce.Left) switch
        {
            { IsNull: true } => Judge(coalesce.Right),
            { } empty => empty,
            null => null,
        },
        _ => null,
    };

    private sealed record Empty(bool IsNull, string Why);
}

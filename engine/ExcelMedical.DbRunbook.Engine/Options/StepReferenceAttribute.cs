namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>
/// Marks an option whose value (a step id, or a list of them) names another step of the same
/// playbook that must run before this one, e.g. <c>dump_step</c> or <c>require_verified</c>.
/// <c>runbook validate</c> checks such names like template references: unknown, later or the
/// step itself are errors at their line.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class StepReferenceAttribute : Attribute;

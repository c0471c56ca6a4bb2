namespace ExcelMedical.DbRunbook.Engine.Secrets;

/// <summary>
/// Marks a step option whose value is a secret: it is registered with the masker as soon as it
/// is rendered, shown as *** in plans and docs, and never given a default in the schema.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

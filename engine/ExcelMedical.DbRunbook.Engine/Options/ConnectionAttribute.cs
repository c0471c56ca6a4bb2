namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>Marks an option whose value names one of the playbook's <c>connections</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConnectionAttribute : Attribute;

using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Diagnostics;

/// <summary>How bad a problem is: an error stops the playbook; a warning is told and the playbook still runs.</summary>
public enum Severity
{
    Error,
    Warning,
}

/// <summary>One problem found in a playbook, printed as <c>file:line:col: message</c>.</summary>
public sealed record Diagnostic(SourceLocation Location, string Message, Severity Severity = Severity.Error)
{
    public bool IsWarning => Severity == Severity.Warning;

    public override string ToString() => $"{Location}: {(IsWarning ? "warning: " : string.Empty)}{Message}";
}

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>Identity of one run of a playbook.</summary>
public sealed record RunInfo(
    string Id,
    string Playbook,
    string PlaybookFile,
    string PlaybookDirectory,
    DateTimeOffset Started,
    bool DryRun,
    string? LogFile);

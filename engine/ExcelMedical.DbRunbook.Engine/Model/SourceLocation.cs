namespace ExcelMedical.DbRunbook.Engine.Model;

/// <summary>Where a node of a playbook came from, so every error can point at the line to fix.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation Unknown(string file) => new(file, 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

using ExcelMedical.DbRunbook.Testing.Support;

namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>
/// A test that needs root (mount, or running a process as another user). As any other user it is
/// reported as skipped with the reason, never as passed: CI runs the tests as root.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string needs)
    {
        if (!CurrentUser.IsRoot)
        {
            Skip = $"not run: needs root ({needs})";
        }
    }
}

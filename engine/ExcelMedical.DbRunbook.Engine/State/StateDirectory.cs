namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>Where run records, locks and monitoring state live: <c>RUNBOOK_STATE_DIR</c> or a per-user default.</summary>
public static class StateDirectory
{
    public const string Variable = "RUNBOOK_STATE_DIR";

    public static string Resolve(IReadOnlyDictionary<string, string> environment)
    {
        if (environment.TryGetValue(Variable, out var configured) && !string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (environment.TryGetValue("XDG_STATE_HOME", out var xdg) && !string.IsNullOrWhiteSpace(xdg))
        {
            return Path.Combine(xdg, "runbook");
        }

        // root runs as a service: keep state where services keep it.
        if (!OperatingSystem.IsWindows() && Environment.UserName == "root")
        {
            return "/var/lib/runbook";
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "state", "runbook");
    }

    /// <summary>A playbook name made safe for a file name.</summary>
    public static string FileNameOf(string playbook) =>
        string.Concat(playbook.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}

using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Renders the connection a playbook's <c>coordination</c> names exactly as a run would (its
/// .env file, the environment, its variables), so the lock lives where the operator pointed.
/// </summary>
internal static class CoordinationConnection
{
    public static ConnectionSettings Resolve(RunbookHost host, Playbook playbook, string connection)
    {
        var masker = new SecretMasker();
        var scope = new TemplateScope();
        scope.SetRun("id", "coordination");
        scope.SetRun("started", host.Time.GetLocalNow().DateTime);
        scope.SetRun("playbook", playbook.Name);
        scope.SetRun("status", StatusNames.Of(RunStatus.Running));
        scope.SetRun("dry_run", false);
        scope.SetRun("trigger", "schedule");
        var setup = new RunSetup(host, playbook, new RunRequest { Trigger = "schedule" }, masker, scope);
        var problems = new DiagnosticBag();
        if (!setup.TryLoadEnvironment(problems) || !setup.TryRenderValues(problems))
        {
            throw new InvalidOperationException(masker.Apply($"cannot prepare the coordination connection '{connection}': {string.Join("; ", problems.Sorted())}"));
        }

        return setup.Connections.Get(connection);
    }
}

using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// Prepares a playbook's environment, variables and connections exactly as a run would (its
/// .env file, the environment, its variables) outside a run: for the connection its
/// <c>coordination</c> names, so the lock lives where the operator pointed, and so the scheduler's
/// masker knows the playbook's secrets before it logs anything about it.
/// </summary>
internal static class CoordinationConnection
{
    /// <summary>Registers the playbook's secrets (secret-named variables, passwords, URI credentials) with the masker.</summary>
    public static void LearnSecrets(RunbookHost host, Playbook playbook, SecretMasker masker) =>
        _ = Prepare(host, playbook, masker, new DiagnosticBag());

    public static ConnectionSettings Resolve(RunbookHost host, Playbook playbook, string connection, SecretMasker masker)
    {
        var problems = new DiagnosticBag();
        var setup = Prepare(host, playbook, masker, problems);
        if (problems.HasErrors)
        {
            throw new InvalidOperationException(masker.Apply($"cannot prepare the coordination connection '{connection}': {string.Join("; ", problems.Sorted())}"));
        }

        return setup.Connections.Get(connection);
    }

    private static RunSetup Prepare(RunbookHost host, Playbook playbook, SecretMasker masker, DiagnosticBag problems)
    {
        var scope = new TemplateScope();
        scope.SetRun("id", "coordination");
        scope.SetRun("started", host.Time.GetLocalNow().DateTime);
        scope.SetRun("playbook", playbook.Name);
        scope.SetRun("status", StatusNames.Of(RunStatus.Running));
        scope.SetRun("dry_run", false);
        scope.SetRun("trigger", "schedule");
        var setup = new RunSetup(host, playbook, new RunRequest { Trigger = "schedule" }, masker, scope);
        _ = setup.TryLoadEnvironment(problems) && setup.TryRenderValues(problems);
        return setup;
    }
}

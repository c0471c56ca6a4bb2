using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Scheduling;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook schedule --list</c>: the next fire times of each playbook, in its own time zone.</summary>
internal static class ScheduleListing
{
    public static async Task<int> PrintAsync(RunbookHost host, IReadOnlyList<string> paths, int count)
    {
        var diagnostics = new DiagnosticBag();
        var playbooks = Load(host, paths, diagnostics);
        var now = host.Time.GetUtcNow();
        foreach (var playbook in playbooks)
        {
            var timetable = ScheduledPlaybook.TimetableOf(playbook, host.Time);
            if (timetable is null)
            {
                await host.Out.WriteLineAsync($"{playbook.Name}: not scheduled (no 'schedule')  {playbook.FilePath}");
                continue;
            }

            var catchUp = playbook.CatchUp is { } window && window.Value > TimeSpan.Zero ? $", catch_up {Duration.Format(window.Value)}" : string.Empty;
            var coordination = playbook.Coordination is { } c ? $", coordination '{c.Value}'" : string.Empty;
            await host.Out.WriteLineAsync($"{playbook.Name}: \"{timetable.Expression}\" in {timetable.Zone.Id}{catchUp}{coordination}  {playbook.FilePath}");
            var any = false;
            foreach (var at in timetable.Upcoming(now, count))
            {
                any = true;
                var local = TimeZoneInfo.ConvertTime(at, timetable.Zone);
                await host.Out.WriteLineAsync($"  {timetable.Format(at)}  {local:ddd}");
            }

            if (!any)
            {
                await host.Out.WriteLineAsync("  (never fires)");
            }
        }

        if (diagnostics.HasErrors)
        {
            DiagnosticPrinter.Print(diagnostics, host.Error);
            return ExitCodes.Invalid;
        }

        return ExitCodes.Success;
    }

    /// <summary>The valid playbooks of the paths, in file order; the problems of the others go to <paramref name="diagnostics"/>.</summary>
    public static IReadOnlyList<Playbook> Load(RunbookHost host, IReadOnlyList<string> paths, DiagnosticBag diagnostics)
    {
        var loader = new PlaybookLoader(host.Steps, host.Templates);
        return [.. PlaybookLoader.ExpandPaths(paths, diagnostics).Select(file => loader.Load(file, diagnostics)).OfType<Playbook>()];
    }
}

using System.Globalization;
using System.Text.Json;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.State;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// What the scheduler remembers between restarts: the last tick of each playbook it handled (ran
/// or skipped), in <c>&lt;state&gt;/schedule/&lt;playbook&gt;.json</c>. With the run history it
/// tells, on start, whether a run was missed while the scheduler was down.
/// </summary>
internal sealed class ScheduleState(string stateDirectory)
{
    public string Folder => Path.Combine(stateDirectory, "schedule");

    public DateTimeOffset? LastTick(string playbook)
    {
        var path = PathOf(playbook);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Entry>(File.ReadAllText(path), RunStore.JsonOptions)?.LastTick : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>Remembers a handled tick; the remembered tick only moves forward.</summary>
    public void Record(string playbook, DateTimeOffset tick)
    {
        if (LastTick(playbook) is { } last && last >= tick)
        {
            return;
        }

        var path = PathOf(playbook);
        SecureFiles.WriteAllText(path, JsonSerializer.Serialize(new Entry(playbook, tick.ToUniversalTime()), RunStore.JsonOptions));
    }

    /// <summary>The latest moment the playbook is known to have been taken care of: its last handled tick or its last recorded run.</summary>
    public DateTimeOffset? LastKnown(string playbook)
    {
        var tick = LastTick(playbook);
        var history = new RunStore(stateDirectory).History(playbook, limit: 1);
        DateTimeOffset? run = history.Count > 0 ? history[0].Started : null;
        return tick is null ? run : run is null ? tick : tick > run ? tick : run;
    }

    private string PathOf(string playbook) => Path.Combine(Folder, StateDirectory.FileNameOf(playbook) + ".json");

    private sealed record Entry(string Playbook, DateTimeOffset LastTick);
}

using System.Security.Cryptography;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.State;

namespace ExcelMedical.DbRunbook.Engine.Scheduling;

/// <summary>
/// A tick that did not run leaves a record in the run history like any run: status
/// <c>skipped</c>, the tick, and why, so <c>runbook history</c> tells the whole story.
/// </summary>
internal static class SkippedRun
{
    public static RunRecord Save(string stateDirectory, Playbook playbook, DateTimeOffset tick, string trigger, string message, DateTimeOffset now, string host, SecretMasker masker)
    {
        var record = new RunRecord
        {
            Id = $"{now:yyyyMMdd'T'HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}",
            Playbook = playbook.Name,
            File = Path.GetFullPath(playbook.FilePath),
            Host = host,
            Started = now,
            Finished = now,
            Status = RunStatus.Skipped,
            ExitCode = ExitCodes.Success,
            Trigger = trigger,
            Tick = tick,
            Message = message,
        };
        new RunStore(stateDirectory).Save(record, masker);
        return record;
    }
}

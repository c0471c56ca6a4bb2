namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>The exit codes operators and cron rely on (DESIGN.md 5).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int StepFailed = 1;
    public const int Invalid = 2;

    /// <summary>Another run of the same playbook holds the lock (EX_TEMPFAIL: try again later).</summary>
    public const int Locked = 75;

    public const int Interrupted = 130;

    public static int Of(RunStatus status) => status switch
    {
        RunStatus.Succeeded or RunStatus.Warning or RunStatus.Planned or RunStatus.Skipped => Success,
        RunStatus.Cancelled or RunStatus.Interrupted => Interrupted,
        _ => StepFailed,
    };
}

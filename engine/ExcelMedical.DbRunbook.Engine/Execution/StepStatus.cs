using System.Text.Json.Serialization;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>How a step ended. The step runner maps every outcome to one of these; it never throws.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    Pending,
    Succeeded,
    Failed,
    Skipped,
    TimedOut,
    Cancelled,
    Planned,
}

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    Running,
    Succeeded,

    /// <summary>
    /// The run did its job but left something for a human: a step warned (a guard rail refused one
    /// table) or failed under continue_on_error. Exit code 0, yellow in Slack, said in the summary.
    /// </summary>
    Warning,
    Failed,
    Cancelled,
    Planned,

    /// <summary>A scheduled tick that did not run (the previous run was still going, or it was missed); the record says why.</summary>
    Skipped,

    /// <summary>
    /// The process ended in the middle of the run (killed, crashed, power lost) without finishing its
    /// record; the next run of the playbook finds the record still <see cref="Running"/> and says so.
    /// </summary>
    Interrupted,
}

public static class StatusNames
{
    /// <summary>The lowercase names templates and the run record use: <c>succeeded</c>, <c>timed_out</c>.</summary>
    public static string Of(StepStatus status) => Options.OptionNaming.Policy.ConvertName(status.ToString());

    public static string Of(RunStatus status) => Options.OptionNaming.Policy.ConvertName(status.ToString());
}

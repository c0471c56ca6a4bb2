using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Templating;
using Serilog;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>Everything a step may use. Steps reach the outside world only through these.</summary>
public sealed class StepContext
{
    public required string StepId { get; init; }

    public required RunInfo Run { get; init; }

    /// <summary>The run's logger: console and the run's log file, secrets masked at the sinks.</summary>
    public required ILogger Log { get; init; }

    public required TimeProvider Time { get; init; }

    public required SecretMasker Secrets { get; init; }

    public required ConnectionRegistry Connections { get; init; }

    /// <summary>The process environment merged with the playbook's .env file (real variables win).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public required string StateDirectory { get; init; }

    /// <summary>The run so far; complete (with the final status) when a notifier runs.</summary>
    public required RunRecord Record { get; init; }

    /// <summary>Raises monitoring alerts for the run's notifications (<c>on: [alert]</c>).</summary>
    public Alerts.RunAlerts Alerts => new(Record);

    public required TemplateEngine Templates { get; init; }

    /// <summary>The template scope of the run (env, vars, run, steps), for steps that render files.</summary>
    public required TemplateScope Scope { get; init; }

    /// <summary>A live status line on a terminal (bytes, rows, elapsed); silent when output is redirected.</summary>
    public Logging.StepProgress Progress { get; init; } = Logging.StepProgress.Silent;

    /// <summary>Relative paths in a playbook resolve against the playbook's folder.</summary>
    public string ResolvePath(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Run.PlaybookDirectory, path));
}

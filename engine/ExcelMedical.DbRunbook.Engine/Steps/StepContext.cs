using ExcelMedical.DbRunbook.Engine.Alerts;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Logging;
using ExcelMedical.DbRunbook.Engine.Reporting;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Engine.Templating;
using Serilog;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// Everything a step may use, as a view onto its run. Steps reach the outside world only
/// through these; they read the run, never change it (outputs go back as the step's result).
/// </summary>
public sealed class StepContext
{
    private readonly Run _run;
    private readonly StepRecord _record;

    internal StepContext(Run run, StepRecord record)
    {
        _run = run;
        _record = record;
        StepId = record.Id;
        Log = run.Log.ForContext(nameof(StepId), StepId);
        Files = new StepFiles(run.Secrets, run.Outputs);
    }

    public string StepId { get; }

    /// <summary>The run this step belongs to, and what its earlier steps did.</summary>
    public IRunView Run => _run;

    /// <summary>The run's logger: console and the run's log file, secrets masked at the sinks.</summary>
    public ILogger Log { get; }

    public TimeProvider Time => _run.Time;

    public SecretMasker Secrets => _run.Secrets;

    /// <summary>How notifiers post JSON: the payload masked before it is encoded.</summary>
    public Notifications.WebhookChannel Webhook => new(_run.Secrets);

    /// <summary>Every file the step creates: owner-only, temporary name then rename, text masked.</summary>
    public StepFiles Files { get; }

    public ConnectionRegistry Connections => _run.Connections;

    /// <summary>The process environment merged with the playbook's .env file (real variables win).</summary>
    public IReadOnlyDictionary<string, string> Environment => _run.Environment;

    public string StateDirectory => _run.Store.StateDirectory;

    /// <summary>The run records of every playbook (a restore drill reads the backup playbook's).</summary>
    public RunStore Runs => _run.Store;

    /// <summary>Raises monitoring alerts for the run's notifications (<c>on: [alert]</c>).</summary>
    public RunAlerts Alerts => new(_run.Record);

    /// <summary>
    /// What the run's notifications say, channel-independent, every text already masked; complete
    /// when a notifier runs. Notifiers build their message from this, never from the run itself.
    /// </summary>
    public RunNotice Notice => RunNotice.From(_run.Record, _run.Secrets);

    public TemplateEngine Templates => _run.Templates;

    /// <summary>The template scope of the run (env, vars, run, steps), for steps that render files.</summary>
    public TemplateScope Scope => _run.Scope;

    /// <summary>A live status line on a terminal (bytes, rows, elapsed); silent when output is redirected.</summary>
    public StepProgress Progress => _run.Progress;

    /// <summary>
    /// Records that the step did its job but left something for a human (a guard rail refused one
    /// table; say what and the way forward, e.g. the command that confirms it). The step still
    /// succeeds; the run ends <c>warning</c> (exit 0, yellow in Slack) and the warning is kept in
    /// the run record (<c>steps[].warnings</c>, <c>run.warnings</c>), logged, and shown in every
    /// notification. The message is masked.
    /// </summary>
    public void Warn(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        var masked = _run.Secrets.Apply(message);
        _record.AddWarning(masked);
        Log.Warning("  warning: {Warning}", masked);
    }

    /// <summary>The latest earlier step of this run with that id, or null if none ran before this one.</summary>
    public IStepView? EarlierStep(string id) =>
        _run.Record.Steps.LastOrDefault(s => s.Id == id && s.Id != StepId);

    /// <summary>Relative paths in a playbook resolve against the playbook's folder.</summary>
    public string ResolvePath(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(_run.PlaybookDirectory, path));
}

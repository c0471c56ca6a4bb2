using ExcelMedical.DbRunbook.Testing.Slack;
using ExcelMedical.DbRunbook.Testing.Support;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>
/// DESIGN.md 5: a run that did its job but left something for a human ends as warning: exit 0,
/// yellow in Slack, said in the summary. Steps say so with context.Warn.
/// </summary>
public sealed class WarningOutcomeTests : IDisposable
{
    private const string Yellow = "#ECB22E";
    private const string Green = "#2EB67D";

    private readonly TempDirectory _dir = new();
    private readonly SlackReceiver _slack = new();

    public void Dispose()
    {
        _slack.Dispose();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string>
    {
        ["SLACK_WEBHOOK_URL"] = _slack.WebhookUrl.ToString(),
        ["API_TOKEN"] = "tok-4471-secret",
    });

    /// <summary>Three Slack notifiers told apart by their user name: on success, on warning, on failure.</summary>
    private string Playbook(string name, string warnings) => _dir.Write($"{name}.yaml", $$$"""
        name: {{{name}}}
        steps:
          - id: job
            uses: test.warn
            with: { warnings: {{{warnings}}} }
          - id: after
            uses: test.echo
            with: { values: { seen: "{{ steps.job.status }}" } }
          - id: summary
            uses: report.render
            always: true
            with: { template: summary.sbn, output: "{{ env.OUT ?? '.' }}/summary-{{ run.id }}.txt" }
        notify:
          - uses: notify.slack
            on: [success]
            with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}", username: on-success }
          - uses: notify.slack
            on: [warning]
            with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}", username: on-warning }
          - uses: notify.slack
            on: [failure]
            with: { webhook: "{{ env.SLACK_WEBHOOK_URL }}", username: on-failure }
        """);

    private void Template() => _dir.Write("summary.sbn", "Outcome: {{ run.outcome }}\n{{ for w in run.warnings }}- {{ w }}\n{{ end }}");

    [Fact]
    public async Task A_step_that_warns_succeeds_and_the_run_ends_warning_with_exit_0_recorded_summarised_and_yellow()
    {
        Template();
        var playbook = Playbook("warned", "[\"public.audit_logs held back; confirm with --var allow_large_delete=audit_logs\", \"token {{ env.API_TOKEN }} expires soon\"]");

        var result = await Cli().RunAsync("run", playbook);

        Assert.True(result.ExitCode == 0, result.All);
        var record = RunRecords.Latest(_dir["state"], "warned");
        Assert.Equal("warning", record.GetProperty("status").GetString());
        Assert.Equal(0, record.GetProperty("exit_code").GetInt32());
        var job = record.Step("job");
        Assert.Equal("succeeded", job.Status());
        Assert.Equal(
            ["public.audit_logs held back; confirm with --var allow_large_delete=audit_logs", "token *** expires soon"],
            job.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal("succeeded", record.Step("after").GetProperty("outputs").GetProperty("seen").GetString());
        Assert.Contains("2 warnings; first: job: public.audit_logs held back", record.GetProperty("message").GetString());
        Assert.DoesNotContain("tok-4471-secret", RunRecords.LatestText(_dir["state"], "warned"));

        // The summary rendered by an always-step knows the outcome and the warnings.
        var summary = await File.ReadAllTextAsync(Directory.GetFiles(_dir.Path, "summary-*.txt").Single());
        Assert.Contains("Outcome: warning", summary);
        Assert.Contains("- job: public.audit_logs held back; confirm with --var allow_large_delete=audit_logs", summary);
        Assert.Contains("succeeded with 2 warning(s)", result.Output);

        // on: [success] hears of a warning run (never quieter than a success), on: [warning] too, on: [failure] not.
        Assert.True(await Polling.UntilAsync(() => _slack.Requests.Count >= 2, TimeSpan.FromSeconds(10)), $"{_slack.Requests.Count} Slack request(s)");
        var posted = _slack.Requests.ToDictionary(r => r.Json!.Value.GetProperty("username").GetString()!, r => r.Body);
        Assert.Equal(["on-success", "on-warning"], posted.Keys.Order());
        foreach (var body in posted.Values)
        {
            Assert.Contains(Yellow, body);
            Assert.Contains("warned succeeded with warnings", body);
            Assert.Contains("*Warnings:*", body);
            Assert.Contains("job: public.audit_logs held back; confirm with --var allow_large_delete=audit_logs", body);
            Assert.DoesNotContain("tok-4471-secret", body);
        }

        var history = await Cli().RunAsync("history", "--playbook", "warned");
        Assert.Contains("warning", history.Output);
        Assert.Contains("public.audit_logs held back", history.Output);
    }

    [Fact]
    public async Task A_run_without_warnings_succeeds_green_and_warning_only_notifiers_stay_quiet()
    {
        Template();
        var playbook = Playbook("clean", "[]");

        var result = await Cli().RunAsync("run", playbook);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("succeeded", RunRecords.Latest(_dir["state"], "clean").GetProperty("status").GetString());
        var request = await _slack.WaitForRequestAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        var only = Assert.Single(_slack.Requests);
        Assert.Equal("on-success", only.Json!.Value.GetProperty("username").GetString());
        Assert.Contains(Green, request.Body);
        Assert.Contains("Outcome: succeeded", await File.ReadAllTextAsync(Directory.GetFiles(_dir.Path, "summary-*.txt").Single()));
    }
}

using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Tests.Maintenance;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>
/// The engine prints each planned action as "would " + the step's sentence: every sentence of
/// every shipped playbook's dry run must read after "would" (would write, not would written as;
/// would need, not would needs).
/// </summary>
public sealed partial class DryRunSentencesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    private readonly TempDirectory _dir = new();
    private SampleDatabases _databases = null!;

    public async Task InitializeAsync() => _databases = await SampleDatabases.CreateAsync(Reference, "sentences");

    public async Task DisposeAsync()
    {
        await _databases.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Every_planned_action_of_the_shipped_playbooks_reads_as_a_sentence_after_would()
    {
        var environment = _databases.GuideEnvironment();
        environment["BACKUP_ROOT_DIR"] = _dir["backups"];
        environment["LOG_ROOT_DIR"] = _dir["logs"];
        environment["PG_DATA_DIR"] = _dir.Path;
        var backup = await new RunbookCliHarness(_dir["state"], environment, new ReferenceClock(Reference)).RunAsync("run", RepositoryRoot.File("playbooks/backup.yaml"));
        Assert.True(backup.ExitCode == 0, backup.All);

        // The notifiers' plans too (a dry run sends nothing).
        environment["ALERT_EMAIL"] = "dba@example.com";
        environment["SLACK_WEBHOOK_URL"] = "http://127.0.0.1:9/hook";
        var cli = new RunbookCliHarness(_dir["state"], environment, new ReferenceClock(Reference));

        var output = new List<string>();
        foreach (var (playbook, extra) in new (string, string[])[]
        {
            ("backup", []),
            ("monitor", []),
            ("maintenance", []),
            ("restore", ["--var", $"day={Reference:yyyy-MM-dd}", "--var", $"target={_databases.Postgres.Name}_restored"]),
            ("restore-drill", []),
        })
        {
            var dryRun = await cli.RunAsync(["run", RepositoryRoot.File($"playbooks/{playbook}.yaml"), "--dry-run", .. extra], CancellationToken.None);
            Assert.True(dryRun.ExitCode == 0, $"{playbook}: {dryRun.All}");
            output.Add(dryRun.Output);
        }

        var sentences = output.SelectMany(o => o.Split('\n')).Select(l => WouldRegex().Match(l)).Where(m => m.Success).ToList();
        Assert.True(sentences.Count > 40, $"only {sentences.Count} planned actions");
        var wrong = sentences.Where(m => !ReadsAfterWould(m.Groups["verb"].Value)).Select(m => m.Value).ToList();
        Assert.True(wrong.Count == 0, "not a verb after 'would':\n" + string.Join("\n", wrong));
    }

    /// <summary>A bare infinitive: lower case (REFUSE is shouted on purpose), not a past participle or a third-person -s.</summary>
    private static bool ReadsAfterWould(string word) =>
        word == "REFUSE"
        || (char.IsLower(word[0])
            && !(word.EndsWith("ed", StringComparison.Ordinal) || word.EndsWith("en", StringComparison.Ordinal))
            && !(word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal)));

    [GeneratedRegex(@"\bwould (?<verb>[^\s:,;]+).*$")]
    private static partial Regex WouldRegex();
}

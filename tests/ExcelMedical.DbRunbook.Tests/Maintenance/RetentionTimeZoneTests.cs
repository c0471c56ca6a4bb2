using System.Globalization;
using System.Text.RegularExpressions;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// postgres.retention on timestamp (without time zone) and date columns of a database whose
/// TimeZone is Asia/Tokyo: the cutoff is that zone's wall-clock time (or day), printed in the plan,
/// and no row at or after the printed cutoff is deleted.
/// </summary>
public sealed class RetentionTimeZoneTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Reference = ReferenceClock.Sunday;

    /// <summary>The run's cutoff instant: 2026-10-23 01:00 UTC, 10:00 in Tokyo.</summary>
    private static readonly DateTime CutoffUtc = (Reference - TimeSpan.FromDays(30)).UtcDateTime;

    private readonly TempDirectory _dir = new();
    private FreshDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await FreshDatabase.CreateAsync("timezone");
        var start = (CutoffUtc - TimeSpan.FromDays(1)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        // Wall-clock values every 30 minutes from a day before to a day after the cutoff's UTC wall clock,
        // and one row per day around it, as an application writing local times would store them.
        await _database.ExecuteAsync($"""
            ALTER DATABASE "{_database.Name}" SET TimeZone = 'Asia/Tokyo';
            CREATE TABLE events (id int PRIMARY KEY, created_at timestamp without time zone NOT NULL);
            INSERT INTO events SELECT i, timestamp '{start}' + i * interval '30 minutes' FROM generate_series(0, 96) i;
            CREATE TABLE daily (id int PRIMARY KEY, day date NOT NULL);
            INSERT INTO daily SELECT i, date '{CutoffUtc:yyyy-MM-dd}' + i FROM generate_series(-5, 5) i;
            """);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _dir.Dispose();
    }

    private RunbookCliHarness Cli() => new(_dir["state"], _database.GuideEnvironment(), new ReferenceClock(Reference));

    private string Playbook(string timeZone) => _dir.Write("retention.yaml", $$"""
        name: retention
        {{FreshDatabase.Connections}}
        steps:
          - id: purge
            uses: postgres.retention
            with:
              max_delete_share: 1
              batch_pause: 0s
              {{timeZone}}
              tables:
                - { table: events, column: created_at, days: 30 }
                - { table: daily, column: day, days: 30 }
        """);

    private static string Printed(string output, string pattern)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"no match for {pattern} in:\n{output}");
        return match.Groups[1].Value;
    }

    [Theory]
    [InlineData("", "Asia/Tokyo", "the server's TimeZone setting", "2026-10-23 10:00:00")]
    [InlineData("time_zone: UTC", "UTC", "the time_zone option", "2026-10-23 01:00:00")]
    [InlineData("time_zone: America/New_York", "America/New_York", "the time_zone option", "2026-10-22 21:00:00")]
    public async Task No_row_at_or_after_the_cutoff_the_plan_printed_is_deleted(string option, string zone, string source, string expectedCutoff)
    {
        var playbook = Playbook(option);
        var rows = await _database.ScalarAsync<long>("SELECT count(*) FROM events");

        var dryRun = await Cli().RunAsync("run", playbook, "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        var cutoff = Printed(dryRun.Output, @"from public\.events: created_at before the cutoff (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)");
        var day = Printed(dryRun.Output, @"from public\.daily: day before the cutoff (\d{4}-\d\d-\d\d)");
        var newer = await _database.ScalarAsync<long>($"SELECT count(*) FROM events WHERE created_at >= '{cutoff}'");
        var newerDays = await _database.ScalarAsync<long>($"SELECT count(*) FROM daily WHERE day >= '{day}'");
        var planned = long.Parse(Printed(dryRun.Output, @"would delete (\d+) of \d+ rows \([0-9.]+%\) from public\.events"), CultureInfo.InvariantCulture);

        var run = await Cli().RunAsync("run", playbook);

        // What was deleted is exactly what the printed cutoff says: nothing at or after it, everything before it.
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(newer, await _database.ScalarAsync<long>($"SELECT count(*) FROM events WHERE created_at >= '{cutoff}'"));
        Assert.Equal(0, await _database.ScalarAsync<long>($"SELECT count(*) FROM events WHERE created_at < '{cutoff}'"));
        Assert.Equal(newerDays, await _database.ScalarAsync<long>("SELECT count(*) FROM daily"));
        Assert.Equal(rows - newer, planned);

        // The cutoff is the zone's wall-clock time of the run's cutoff instant, and the plan and the log say which zone.
        Assert.Equal(expectedCutoff, cutoff);
        Assert.Equal(expectedCutoff[..10], day);
        Assert.Contains($"would read timestamp (without time zone) and date columns in time zone {zone} ({source}", dryRun.Output);
        Assert.Contains($"(timestamp without time zone, read in {zone}: the instant 2026-10-23 01:00:00 +00:00)", dryRun.Output);
        Assert.Contains($"timestamp and date columns are read in time zone {zone}", run.All);
    }

    [Fact]
    public async Task An_unknown_time_zone_is_refused_naming_it_and_nothing_is_deleted()
    {
        var rows = await _database.ScalarAsync<long>("SELECT count(*) FROM events");

        var run = await Cli().RunAsync("run", Playbook("time_zone: Asia/Tokio"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("time_zone 'Asia/Tokio' is not a time zone the server knows", run.All);
        Assert.Equal(rows, await _database.ScalarAsync<long>("SELECT count(*) FROM events"));
    }
}

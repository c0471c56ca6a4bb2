using System.Globalization;
using System.Xml.Linq;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.History;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Report;
using ExcelMedical.DbRunbook.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

/// <summary>monitor.html_report: charts of the CSV history and the capacity forecast, on synthetic histories and on daily runs against PostgreSQL.</summary>
public sealed class HtmlReportTests(SampleDatabase database) : IClassFixture<SampleDatabase>, IDisposable
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly DateTime Start = new(2026, 11, 1, 2, 0, 0, DateTimeKind.Unspecified);
    private const double GiB = 1024.0 * 1024 * 1024;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static MetricSeries Linear(string target, double first, double perDay, int days, int readingsPerDay = 4) =>
        new(target, [.. Enumerable.Range(0, (days * readingsPerDay) + 1).Select(i => new MetricPoint(Start.AddDays((double)i / readingsPerDay), first + (perDay * i / readingsPerDay)))]);

    private static MetricHistory History(string name, string unit, params MetricSeries[] series) =>
        new(name, MetricsCsvWriter.FileNameOf(name)[..^4], unit, series);

    private static XDocument Parse(string html) => XDocument.Parse(html);

    private static int PointsOf(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [Fact]
    public void Growth_per_day_is_the_least_squares_slope_and_the_days_left_are_the_headroom_at_that_rate()
    {
        // The database grows 1 GiB a day; the disk holds 200 GiB, 100 GiB used, and grows 2 GiB a day.
        var histories = new[]
        {
            History("postgres.db_size", "bytes", Linear("excel_medical", 10 * GiB, GiB, days: 10)),
            History("system.disk_used_bytes", "bytes", Linear("/var/lib/postgresql", 80 * GiB, 2 * GiB, days: 10)),
            History("system.disk_available_bytes", "bytes", Linear("/var/lib/postgresql", 120 * GiB, -2 * GiB, days: 10)),
            History("mongo.storage_size", "bytes", Linear("resumes", 5 * GiB, 0, days: 10)),
        };

        var rows = CapacityForecast.Build(histories, new CapacitySettings(["postgres.db_size", "mongo.storage_size"], 80, new Dictionary<string, string> { ["postgres.db_size"] = "/var/lib/postgresql", ["mongo.storage_size"] = "/var/lib/postgresql" }));

        // Headroom to 80%: 0.8 × 200 GiB − 100 GiB = 60 GiB.
        var db = rows.Single(r => r.Name == "excel_medical");
        Assert.Equal(GiB, db.PerDay!.Value, 1e-3);
        Assert.Equal(60 * GiB, db.HeadroomBytes!.Value, 1e-3);
        Assert.Equal(60, db.DaysLeft!.Value, 1e-9);
        var disk = rows.Single(r => r.Kind == "disk");
        Assert.Equal(2 * GiB, disk.PerDay!.Value, 1e-3);
        Assert.Equal(30, disk.DaysLeft!.Value, 1e-9);
        Assert.Equal(50, disk.UsedPercent!.Value, 1e-9);
        var flat = rows.Single(r => r.Name == "resumes");
        Assert.Null(flat.DaysLeft);
        Assert.Equal("not growing", flat.Note);
    }

    [Fact]
    public void A_single_reading_has_no_trend_and_a_disk_above_the_threshold_has_no_days_left()
    {
        var histories = new[]
        {
            History("postgres.db_size", "bytes", new MetricSeries("fresh", [new MetricPoint(Start, GiB)])),
            History("system.disk_used_bytes", "bytes", Linear("/data", 90 * GiB, GiB, days: 2)),
            History("system.disk_available_bytes", "bytes", Linear("/data", 10 * GiB, -GiB, days: 2)),
        };

        var rows = CapacityForecast.Build(histories, new CapacitySettings(["postgres.db_size"], 80, new Dictionary<string, string>()));

        var fresh = rows.Single(r => r.Name == "fresh");
        Assert.Null(fresh.Trend);
        Assert.Contains("not enough history", fresh.Note, StringComparison.Ordinal);
        var disk = rows.Single(r => r.Kind == "disk");
        Assert.Equal(0, disk.DaysLeft);
        Assert.Equal("/data is already above 80%", disk.Note);
    }

    [Fact]
    public void A_database_without_a_data_disk_among_several_disks_gets_its_growth_but_no_days_left()
    {
        var histories = new[]
        {
            History("postgres.db_size", "bytes", Linear("excel_medical", GiB, 0.1 * GiB, days: 5)),
            History("mongo.storage_size", "bytes", Linear("resumes", GiB, 0.2 * GiB, days: 5)),
            History("system.disk_used_bytes", "bytes", Linear("/pg", 10 * GiB, 0, days: 5), Linear("/backups", 10 * GiB, 0, days: 5)),
            History("system.disk_available_bytes", "bytes", Linear("/pg", 90 * GiB, 0, days: 5), Linear("/backups", 90 * GiB, 0, days: 5)),
        };

        var rows = CapacityForecast.Build(histories, new CapacitySettings(["postgres.db_size", "mongo.storage_size"], 80, new Dictionary<string, string> { ["postgres.db_size"] = "/pg" }));

        Assert.Equal(700, rows.Single(r => r.Name == "excel_medical").DaysLeft!.Value, 1e-6);
        var mongo = rows.Single(r => r.Name == "resumes");
        Assert.Equal(0.2 * GiB, mongo.PerDay!.Value, 1e-3);
        Assert.Null(mongo.DaysLeft);
        Assert.Contains("data_disks", mongo.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_database_of_the_forecast_is_labelled_with_its_engine_even_when_the_names_are_the_same()
    {
        var histories = new[]
        {
            History("mongo.storage_size", "bytes", Linear("excel_medical", GiB, 0.2 * GiB, days: 5)),
            History("postgres.db_size", "bytes", Linear("excel_medical", GiB, 0.1 * GiB, days: 5)),
            History("system.disk_used_bytes", "bytes", Linear("/data", 10 * GiB, 0, days: 5)),
            History("system.disk_available_bytes", "bytes", Linear("/data", 90 * GiB, 0, days: 5)),
        };

        var rows = CapacityForecast.Build(histories, new CapacitySettings(["postgres.db_size", "mongo.storage_size"], 80, new Dictionary<string, string>()));
        var page = new HtmlReportPage("r", new DateTimeOffset(Start.AddDays(5), TimeSpan.Zero), "/m", 30, histories, rows, 80, new ChartStyle());
        var document = Parse(HtmlReportWriter.Write(page, s => s));

        Assert.Equal(["postgres database excel_medical", "mongo database excel_medical", "disk /data"], rows.Select(r => r.Label));
        Assert.Equal(["postgres", "mongo", null], rows.Select(r => r.Engine));
        var cells = document.Descendants(Xhtml + "tr").Where(tr => tr.Attribute("data-name")?.Value == "excel_medical").ToList();
        Assert.Equal(["postgres", "mongo"], cells.Select(tr => tr.Attribute("data-engine")?.Value));
        Assert.Contains("postgres database (postgres.db_size)", cells[0].Value, StringComparison.Ordinal);
        Assert.Contains("mongo database (mongo.storage_size)", cells[1].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Axis_ticks_are_round_numbers_in_the_byte_unit_that_fits()
    {
        var axis = ValueAxis.For([11.6 * GiB, 17.3 * GiB], "bytes");

        Assert.Equal(["10 GiB", "12 GiB", "14 GiB", "16 GiB", "18 GiB"], axis.Ticks.Select(axis.Label));
        Assert.Equal(["0", "20", "40", "60", "80"], ValueAxis.For([1, 71.1], "connections").Ticks.Select(t => ValueAxis.For([1, 71.1], "connections").Label(t)));
    }

    [Fact]
    public void A_long_series_is_thinned_to_the_maximum_keeping_the_first_and_last_readings_and_a_spike()
    {
        var points = Enumerable.Range(0, 3000).Select(i => new MetricPoint(Start.AddMinutes(15 * i), i == 1234 ? 99 : 10)).ToList();

        var thinned = Downsampler.Thin(points, 300);

        Assert.Equal(300, thinned.Count);
        Assert.Equal(points[0], thinned[0]);
        Assert.Equal(points[^1], thinned[^1]);
        Assert.Contains(points[1234], thinned);
        Assert.Same(points, Downsampler.Thin(points, 3000));
    }

    [Fact]
    public void Targets_are_encoded_and_masked_and_the_page_is_well_formed_xhtml_with_nothing_to_fetch()
    {
        var metric = History("postgres.bloat_pct", "percent",
            Linear("db.public.<script>alert(1)</script>", 10, 1, days: 3),
            Linear("db.public.a&b \"quoted\" 'single'", 20, 0, days: 3),
            Linear("db.public.hunter2_table", 30, 0, days: 3));
        var page = new HtmlReportPage("Report <&>", new DateTimeOffset(Start.AddDays(3), TimeSpan.Zero), "/var/log/excel-medical/monitoring/metrics", 30, [metric], [], 80, new ChartStyle());

        var html = HtmlReportWriter.Write(page, s => s.Replace("hunter2", "***", StringComparison.Ordinal));

        var document = Parse(html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2", html, StringComparison.Ordinal);
        Assert.DoesNotContain(document.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href" && !a.Value.StartsWith('#'));
        var targets = document.Descendants(Svg + "polyline").Select(p => p.Attribute("data-target")!.Value).ToList();
        Assert.Equal(["db.public.<script>alert(1)</script>", "db.public.a&b \"quoted\" 'single'", "db.public.***_table"], targets);
        Assert.Equal("Report <&>", document.Descendants(Xhtml + "title").Single().Value);
    }

    [Fact]
    public void The_line_breaks_at_an_unknown_reading_and_where_the_monitor_paused_and_the_unknown_is_marked()
    {
        // Every 15 minutes from 10:00; 10:30 could not be read; nothing from 11:15 to 18:00.
        var at = new[] { "10:00", "10:15", "10:45", "11:00", "11:15", "18:00", "18:15", "18:30" }
            .Select(t => Start.Date + TimeSpan.Parse(t, CultureInfo.InvariantCulture)).ToList();
        var series = new MetricSeries("127.0.0.1:5432", [.. at.Select(t => new MetricPoint(t, 1))], [Start.Date.AddHours(10.5)]);
        var page = new HtmlReportPage("r", new DateTimeOffset(Start, TimeSpan.Zero), "/m", 30, [History("postgres.up", string.Empty, series)], [], 80, new ChartStyle());

        var document = Parse(HtmlReportWriter.Write(page, s => s));

        Assert.Equal([2, 3, 3], document.Descendants(Svg + "polyline").Select(PointsOf));
        Assert.Single(document.Descendants(Svg + "line"), l => l.Attribute("class")?.Value == "unknown");
        Assert.Contains("1 unreadable", document.Descendants(Xhtml + "figcaption").Single().Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chart_draws_the_targets_with_the_highest_latest_values_and_says_how_many_it_left_out()
    {
        var series = Enumerable.Range(1, 12).Select(i => Linear($"db.public.t{i:00}", i, 0, days: 1)).ToArray();
        var page = new HtmlReportPage("r", new DateTimeOffset(Start, TimeSpan.Zero), "/m", 30, [History("postgres.bloat_pct", "percent", series)], [], 80, new ChartStyle(MaxSeries: 8));

        var document = Parse(HtmlReportWriter.Write(page, s => s));

        var drawn = document.Descendants(Svg + "polyline").Select(p => p.Attribute("data-target")!.Value).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(5, 8).Select(i => $"db.public.t{i:00}"), drawn);
        Assert.Contains("4 more target(s)", document.Root!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daily_runs_on_a_growing_database_chart_every_csv_row_and_forecast_the_days_the_growth_leaves()
    {
        await database.ExecuteAsync("CREATE TABLE capacity_growth (id int, pad text NOT NULL)");
        var time = new FakeTimeProvider(new DateTimeOffset(Start, TimeSpan.Zero));
        var environment = database.GuideEnvironment();
        environment["OUT"] = _dir["out"];
        var cli = new RunbookCliHarness(_dir["state"], environment, time);
        var playbook = _dir.Write("capacity.yaml", """
            name: capacity
            vars:
              stamp: "{{ run.started | date.to_string '%Y%m%d_%H%M%S' }}"
            connections:
              postgres:
                host: "{{ env.POSTGRES_HOST }}"
                port: "{{ env.POSTGRES_PORT }}"
                user: "{{ env.POSTGRES_USER }}"
                password: "{{ env.POSTGRES_PASSWORD }}"
                database: "{{ env.POSTGRES_DB }}"
            steps:
              - id: pg
                uses: postgres.metrics
                with: { query_scope: database }
              - id: system
                uses: system.metrics
                with: { paths: ["{{ env.OUT }}"], first_sample: 0s }
              - id: history
                uses: metrics.history
                with: { from: [pg, system], folder: "{{ env.OUT }}/metrics" }
              - id: html
                uses: monitor.html_report
                with:
                  folder: "{{ env.OUT }}/metrics"
                  output: "{{ env.OUT }}/monitoring_report_{{ vars.stamp }}.html"
                  disk_threshold: 90
                  data_disks: { postgres.db_size: "{{ env.OUT }}" }
            """);
        var sizes = new List<long>();
        const int Days = 6;
        for (var day = 0; day < Days; day++)
        {
            // About 4.5 MiB of new rows a day.
            await database.ExecuteAsync($"INSERT INTO capacity_growth SELECT g, repeat('x', 1000) FROM generate_series({day * 4000}, {(day * 4000) + 3999}) g");
            sizes.Add(await DatabaseSizeAsync());
            var result = await cli.RunAsync("run", playbook);
            Assert.True(result.ExitCode == 0, result.All);
            time.Advance(TimeSpan.FromDays(1));
        }

        var metrics = Path.Combine(_dir["out"], "metrics");
        var html = Directory.GetFiles(_dir["out"], "monitoring_report_*.html").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Days, html.Count);
        Assert.EndsWith("monitoring_report_20261106_020000.html", html[^1], StringComparison.Ordinal);
        var document = Parse(await File.ReadAllTextAsync(html[^1]));

        // One chart per CSV file, one point per CSV row with a value.
        var csvFiles = Directory.GetFiles(metrics, "*.csv").Order(StringComparer.Ordinal).ToList();
        var figures = document.Descendants(Xhtml + "figure").ToDictionary(f => f.Attribute("data-metric")!.Value);
        Assert.Equal(csvFiles.Count, document.Descendants(Svg + "svg").Count());
        Assert.Equal(csvFiles.Select(f => MetricHistory.NameOf(Path.GetFileNameWithoutExtension(f))).Order(StringComparer.Ordinal), figures.Keys.Order(StringComparer.Ordinal));
        foreach (var csv in csvFiles)
        {
            var rows = File.ReadAllLines(csv).Skip(1).Count(line => line.Split(',')[2].Length > 0);
            var figure = figures[MetricHistory.NameOf(Path.GetFileNameWithoutExtension(csv))];
            Assert.Single(figure.Descendants(Svg + "svg"));
            Assert.Equal(rows, figure.Descendants(Svg + "polyline").Sum(PointsOf));
        }

        var dbSize = Assert.Single(figures["postgres.db_size"].Descendants(Svg + "polyline"));
        Assert.Equal(Days, PointsOf(dbSize));
        Assert.Equal(database.Name, dbSize.Attribute("data-target")!.Value);

        // The forecast: the growth created, and the days it leaves on the disk up to 90%.
        var createdPerDay = (double)(sizes[^1] - sizes[0]) / (Days - 1);
        Assert.InRange(createdPerDay, 4 * 1024 * 1024, 6 * 1024 * 1024);
        var row = document.Descendants(Xhtml + "tr").Single(r => r.Attribute("class")?.Value == "database" && r.Attribute("data-name")?.Value == database.Name);
        var growth = double.Parse(row.Descendants(Xhtml + "td").Single(td => td.Attribute("class")?.Value.Contains("growth", StringComparison.Ordinal) == true).Attribute("data-per-day")!.Value, CultureInfo.InvariantCulture);
        Assert.InRange(growth / createdPerDay, 0.97, 1.03);
        var used = LastValue(Path.Combine(metrics, "system_disk_used_bytes.csv"));
        var available = LastValue(Path.Combine(metrics, "system_disk_available_bytes.csv"));
        var expectedDays = ((0.9 * (used + available)) - used) / createdPerDay;
        var daysCell = row.Descendants(Xhtml + "td").Single(td => td.Attribute("class")?.Value.Contains("days-left", StringComparison.Ordinal) == true);
        var days = double.Parse(daysCell.Attribute("data-days")!.Value, CultureInfo.InvariantCulture);
        Assert.InRange(days / expectedDays, 0.97, 1.03);
        Assert.Contains(days.ToString("N0", CultureInfo.InvariantCulture) + " days", daysCell.Value, StringComparison.Ordinal);
        Assert.Single(document.Descendants(Xhtml + "tr"), r => r.Attribute("class")?.Value == "disk" && r.Attribute("data-name")?.Value == _dir["out"]);
        Assert.Single(figures["system.disk_pct"].Descendants(Svg + "line"), l => l.Attribute("class")?.Value == "threshold");

        var record = RunRecords.Latest(_dir["state"], "capacity");
        Assert.Equal(html[^1], record.Step("html").GetProperty("outputs").GetProperty("file").GetString());
    }

    private async Task<long> DatabaseSizeAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static double LastValue(string csv) =>
        double.Parse(File.ReadAllLines(csv)[^1].Split(',')[2], CultureInfo.InvariantCulture);
}

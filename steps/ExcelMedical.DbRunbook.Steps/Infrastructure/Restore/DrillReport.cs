using System.Globalization;
using System.Text;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Restore;

/// <summary>How one database of a drill went: where its backup came from, the scratch copy, and the timings.</summary>
internal sealed class DrillPart(string kind)
{
    public string Kind { get; } = kind;

    public string? File { get; set; }

    public string? Origin { get; set; }

    public string? Sha256 { get; set; }

    public string? Scratch { get; set; }

    public bool Dropped { get; set; }

    public double DownloadSeconds { get; set; }

    public double VerifySeconds { get; set; }

    public double RestoreSeconds { get; set; }

    /// <summary>Time to a usable copy: fetch, full verification, restore.</summary>
    public double RecoverySeconds => DownloadSeconds + VerifySeconds + RestoreSeconds;

    public List<DrillVerdict> Verdicts { get; } = [];
}

/// <summary>The drill's report: the backup drilled, RPO and RTO, and each table's and collection's verdict.</summary>
internal sealed class DrillReport
{
    public DrillBackup? Backup { get; set; }

    public DateTimeOffset Started { get; init; }

    public TimeSpan? BackupAge { get; set; }

    public TimeSpan? MaxBackupAge { get; init; }

    public TimeSpan? MaxRestoreTime { get; init; }

    public DrillPart Postgres { get; } = new("PostgreSQL");

    public DrillPart? Mongo { get; set; }

    /// <summary>Problems other than a table's verdict: a refused archive, an objective missed, a failed restore.</summary>
    public List<string> Problems { get; } = [];

    public TimeSpan RecoveryTime => TimeSpan.FromSeconds(Postgres.RecoverySeconds + (Mongo?.RecoverySeconds ?? 0));

    public IEnumerable<DrillVerdict> Verdicts => Postgres.Verdicts.Concat(Mongo?.Verdicts ?? []);

    public IEnumerable<string> Differences => Verdicts.Where(v => !v.Ok).Select(v => v.Difference!).Concat(Problems);

    public bool Passed => !Differences.Any();

    public string Render(DateTimeOffset now)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var differences = Differences.ToList();
        text.AppendLine(inv, $"Restore drill — {now:yyyy-MM-dd HH:mm:ss zzz}");
        text.AppendLine(inv, $"Result:      {(differences.Count == 0 ? "PASSED" : $"FAILED ({differences.Count} difference(s))")}");
        if (Backup is not null)
        {
            text.AppendLine(inv, $"Backup:      run {Backup.Run.Id}, taken {Backup.Taken:yyyy-MM-dd HH:mm:ss zzz}, verified");
        }

        if (BackupAge is { } age)
        {
            text.AppendLine(inv, $"RPO:         {Duration.Format(age)} (age of the newest verified backup when the drill started){Objective(MaxBackupAge, age)}");
        }

        if (Postgres.RecoverySeconds > 0 || Mongo is { RecoverySeconds: > 0 })
        {
            var parts = new[] { Postgres, Mongo }.OfType<DrillPart>().Where(p => p.RecoverySeconds > 0)
                .Select(p => $"{p.Kind} {Seconds(p.RecoverySeconds)}: download {Seconds(p.DownloadSeconds)}, verify {Seconds(p.VerifySeconds)}, restore {Seconds(p.RestoreSeconds)}");
            text.AppendLine(inv, $"RTO:         {Seconds(RecoveryTime.TotalSeconds)} to fetch, verify and restore ({string.Join("; ", parts)}){Objective(MaxRestoreTime, RecoveryTime)}");
        }

        foreach (var part in new[] { Postgres, Mongo }.OfType<DrillPart>().Where(p => p.File is not null))
        {
            text.AppendLine(inv, $"{part.Kind + ":",-12} {part.File} ({part.Origin}{(part.Sha256 is null ? string.Empty : $", SHA-256 {part.Sha256}")})");
            if (part.Scratch is not null)
            {
                text.AppendLine(inv, $"{string.Empty,-12} restored into scratch database {part.Scratch}{(part.Dropped ? ", dropped afterwards" : ", kept")}");
            }
        }

        if (Backup is { PassedOver.Count: > 0 })
        {
            text.AppendLine(inv, $"Passed over: {Backup.PassedOver.Count} newer run(s) without a usable verified backup:");
            foreach (var reason in Backup.PassedOver)
            {
                text.AppendLine(inv, $"  {reason}");
            }
        }

        foreach (var difference in differences)
        {
            text.AppendLine(inv, $"  difference: {difference}");
        }

        Table(text, "PostgreSQL table", Postgres.Verdicts);
        if (Mongo is not null)
        {
            Table(text, "MongoDB collection", Mongo.Verdicts);
        }

        return text.ToString();
    }

    private static void Table(StringBuilder text, string heading, List<DrillVerdict> verdicts)
    {
        if (verdicts.Count == 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var width = Math.Max(heading.Length, verdicts.Max(v => NameText.Printable(v.Name).Length));
        var recordedWidth = Math.Max(22, verdicts.Max(v => v.Recorded.Length));
        var restoredWidth = Math.Max(22, verdicts.Max(v => v.Restored.Length));
        text.AppendLine();
        text.AppendLine(inv, $"{heading.PadRight(width)}  {"Recorded at backup".PadRight(recordedWidth)}  {"Restored".PadRight(restoredWidth)}  Verdict");
        foreach (var verdict in verdicts)
        {
            text.AppendLine(inv, $"{NameText.Printable(verdict.Name).PadRight(width)}  {verdict.Recorded.PadRight(recordedWidth)}  {verdict.Restored.PadRight(restoredWidth)}  {verdict.Verdict}");
        }
    }

    private static string Objective(TimeSpan? limit, TimeSpan actual) =>
        limit is { } max ? actual <= max ? $"; objective {Duration.Format(max)} met" : $"; objective {Duration.Format(max)} MISSED" : string.Empty;

    private static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}

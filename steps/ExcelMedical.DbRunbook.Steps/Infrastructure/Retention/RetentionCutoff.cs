using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Retention;

/// <summary>
/// How one table's date column is compared with the cutoff. A timestamptz column holds instants
/// and is compared with the cutoff instant. A timestamp (without time zone) or date column holds
/// wall-clock values with no zone, so the cutoff instant is first turned into the wall-clock time
/// of an explicit zone, and the column is compared with that value of its own type: never an
/// implicit cast of the column to an instant in whatever zone the session happens to have.
/// The census counts with <see cref="Predicate"/> and <see cref="Bind"/> and the purge deletes with
/// the same two, so the plan's cutoff is exactly the one the run deletes by.
/// </summary>
internal sealed record RetentionCutoff(DateTimeOffset Instant, string ColumnType, string? TimeZone, bool ServerTimeZone, DateTime WallClock)
{
    public const string Timestamptz = "timestamp with time zone";
    public const string Timestamp = "timestamp without time zone";
    public const string Date = "date";

    /// <summary>Whether the column holds instants (timestamptz); otherwise it is read in <see cref="TimeZone"/>.</summary>
    public bool IsInstant => ColumnType == Timestamptz;

    /// <summary>The first day kept in a date column: a row dated the cutoff's own day is newer than part of the period, so it stays.</summary>
    public DateOnly Day => DateOnly.FromDateTime(WallClock);

    /// <summary>The rows older than the cutoff, for the quoted column (optionally qualified by an alias).</summary>
    public static string Predicate(string column) => $"{column} < @cutoff";

    /// <summary>The cutoff as a parameter of the column's own type, so PostgreSQL compares without casting the column.</summary>
    public void Bind(NpgsqlCommand command) => command.Parameters.Add(ColumnType switch
    {
        Timestamptz => new NpgsqlParameter("cutoff", NpgsqlDbType.TimestampTz) { Value = Instant.UtcDateTime },
        Timestamp => new NpgsqlParameter("cutoff", NpgsqlDbType.Timestamp) { Value = DateTime.SpecifyKind(WallClock, DateTimeKind.Unspecified) },
        _ => new NpgsqlParameter("cutoff", NpgsqlDbType.Date) { Value = Day },
    });

    /// <summary>The value the column is compared with, as the plan, the log and the outputs show it.</summary>
    public string Compared => ColumnType switch
    {
        Timestamptz => RetentionGuard.Format(Instant),
        Timestamp => WallClock.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        _ => Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    /// <summary>"2026-05-26 10:00:00 (timestamp without time zone, read in Asia/Tokyo: the instant 2026-05-26 01:00:00 +00:00)".</summary>
    public string Describe() => ColumnType switch
    {
        Timestamptz => Compared,
        Timestamp => $"{Compared} ({ColumnType}, read in {TimeZone}: the instant {RetentionGuard.Format(Instant)})",
        _ => $"{Compared} (date, read in {TimeZone}: the instant {RetentionGuard.Format(Instant)} is {WallClock.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} there, and rows of that day itself are kept)",
    };

    /// <summary>Where the zone came from, for the plan: the option, or the server's TimeZone setting.</summary>
    public string ZoneSource => ServerTimeZone ? "the server's TimeZone setting; set time_zone to choose another" : "the time_zone option";
}

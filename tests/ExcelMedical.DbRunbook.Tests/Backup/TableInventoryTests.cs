using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;
using ExcelMedical.DbRunbook.Tests.Support;
using Npgsql;

namespace ExcelMedical.DbRunbook.Tests.Backup;

public sealed class TableInventoryTests(SampleDatabase database) : IClassFixture<SampleDatabase>
{
    [Fact]
    public async Task A_table_checksum_does_not_depend_on_the_sessions_time_zone_or_date_style()
    {
        var checksums = new List<string>();
        foreach (var (zone, style) in new[] { ("America/New_York", "SQL, MDY"), ("Asia/Tokyo", "German, DMY") })
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString + $";Timezone={zone}");
            await connection.OpenAsync();
            await using (var set = new NpgsqlCommand($"SET DateStyle = '{style}'", connection))
            {
                await set.ExecuteNonQueryAsync();
            }

            var figures = await TableInventory.MeasureAsync(connection, "public", "audit_logs", withChecksums: true, CancellationToken.None);
            checksums.Add(figures.Checksum!);
        }

        Assert.Equal(checksums[0], checksums[1]);
        Assert.StartsWith(database.Load.ExpectedRowCounts["audit_logs"] + ":", checksums[0]);
    }

    [Fact]
    public async Task A_changed_row_changes_the_checksum()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var before = await TableInventory.MeasureAsync(connection, "public", "facilities", withChecksums: true, CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE facilities SET name = name || 'x' WHERE id = 1", connection, transaction))
        {
            await update.ExecuteNonQueryAsync();
        }

        var after = await TableInventory.MeasureAsync(connection, "public", "facilities", withChecksums: true, CancellationToken.None);
        await transaction.RollbackAsync();

        Assert.Equal(before.Rows, after.Rows);
        Assert.NotEqual(before.Checksum, after.Checksum);
    }
}

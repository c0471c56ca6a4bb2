using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

namespace ExcelMedical.DbRunbook.Steps.Postgres;

/// <summary>
/// Verifies a PostgreSQL dump the guide's way (<c>pg_restore -l</c> through gunzip) and beyond it:
/// <c>-l</c> reads only the header and table of contents, so a truncated file passes it. This step
/// also reads every byte: each gzip member's CRC, and every data block, by restoring the whole
/// archive and counting each table's rows in its COPY data.
/// </summary>
[Step("postgres.verify", "Verify a PostgreSQL dump: table of contents, every gzip CRC and every data block, tables against the source")]
public sealed class PostgresVerifyStep : Step<PostgresVerifyOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, PostgresVerifyOptions options, CancellationToken cancellationToken)
    {
        var file = context.ResolvePath(options.File);
        var actions = new List<string>
        {
            $"list the table of contents of {file} (gunzip -c | pg_restore -l)",
            $"read all of {file}: every gzip CRC and every data block (pg_restore -f -), counting each table's rows",
        };
        if (options.DumpStep is not null)
        {
            actions.Add($"check every table step '{options.DumpStep}' found in the database has its TABLE DATA in the dump");
        }

        if (options.Report is not null)
        {
            actions.Add($"write {context.ResolvePath(options.Report)}");
        }

        return Task.FromResult(StepPlan.Of([.. actions]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, PostgresVerifyOptions options, CancellationToken cancellationToken)
    {
        var file = context.ResolvePath(options.File);
        if (!Directory.Exists(file) && !File.Exists(file))
        {
            throw new StepFailedException($"the dump {file} does not exist");
        }

        var pgRestore = PostgresTools.Locate("pg_restore", options.PgRestore, context.Environment);
        var findings = await PostgresDumpCheck.RunAsync(pgRestore, file, cancellationToken);
        var listing = findings.Listing!;

        if (options.DumpStep is not null)
        {
            CompareWithSource(context, options.DumpStep, findings);
        }

        var report = findings.Render(context.Time.GetLocalNow());
        if (options.Report is not null)
        {
            context.Files.WriteText(context.ResolvePath(options.Report), report);
        }

        if (findings.Problems.Count > 0)
        {
            throw new StepFailedException($"{file} failed verification: {string.Join("; ", findings.Problems)}");
        }

        context.Log.Information("  {File}: {Entries} TOC entries, {TableData} tables with data, {Bytes} read, all CRCs and data blocks good", file, listing.Entries, listing.TableDataEntries, ByteSize.Format(findings.DecompressedBytes));
        var outputs = new StepOutputs()
            .Add("file", file)
            .Add("toc_entries", listing.Entries)
            .Add("table_data_entries", listing.TableDataEntries)
            .Add("decompressed_bytes", findings.DecompressedBytes)
            .Add("rows", findings.TableRows.Values.Sum())
            .Add("table_rows", findings.TableRows.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal))
            .Add("verified", true);
        if (findings.Sha256 is not null)
        {
            outputs.Add("sha256", findings.Sha256);
        }

        if (options.Report is not null)
        {
            outputs.Add("report", context.ResolvePath(options.Report));
        }

        return outputs;
    }

    private static void CompareWithSource(StepContext context, string dumpStep, PostgresDumpFindings findings)
    {
        var step = context.EarlierStep(dumpStep);
        if (step?.Outputs.Strings("table_names") is not { } expected)
        {
            findings.Problems.Add($"step '{dumpStep}' recorded no tables to compare with (is it the postgres.dump step, and did it run?)");
            return;
        }

        // The tables whose COPY data was read, named exactly (the TOC listing cannot carry every name).
        var inDump = findings.TableRows.Keys.ToHashSet(StringComparer.Ordinal);
        findings.ExpectedTables = expected.Count;
        foreach (var table in expected.Where(table => !inDump.Contains(table)))
        {
            findings.Problems.Add($"table {NameText.Printable(table)} is in the database but has no data in the dump");
        }
    }
}

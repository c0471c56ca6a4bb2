using System.Globalization;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Archives;

namespace ExcelMedical.DbRunbook.Steps.Archives;

/// <summary>
/// Verifies a backup archive the guide's way (<c>tar -tzf</c>) and well beyond it: <c>tar -tzf</c>
/// lists names and skips data, and .NET's own GZipStream accepts a file cut inside its last member.
/// This step reads every byte, checks every gzip member's CRC-32 and length, every tar entry and the
/// end-of-archive marker, parses every BSON document and metadata file of a mongodump layout, and
/// compares the documents per collection with what the dump step wrote.
/// </summary>
[Step("archive.verify", "Verify a .tar.gz backup (e.g. mongo.dump's): every gzip CRC, every tar entry, every BSON document, counts against the dump")]
public sealed class ArchiveVerifyStep : Step<ArchiveVerifyOptions>
{
    /// <summary>The failure message lists this many problems; the report lists them all.</summary>
    private const int ProblemsInMessage = 5;

    public override Task<StepPlan> PlanAsync(StepContext context, ArchiveVerifyOptions options, CancellationToken cancellationToken)
    {
        var file = context.ResolvePath(options.File);
        var actions = new List<string>
        {
            $"read all of {file}: every gzip member's CRC-32 and length, every tar entry and its end-of-archive marker",
            "parse every document of every .bson file and every .metadata.json (mongodump layout)",
        };
        if (options.DumpStep is not null)
        {
            actions.Add($"compare the documents per collection and the SHA-256 with what step '{options.DumpStep}' wrote");
        }

        if (options.Report is not null)
        {
            actions.Add($"write {context.ResolvePath(options.Report)}");
        }

        return Task.FromResult(StepPlan.Of([.. actions]));
    }

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, ArchiveVerifyOptions options, CancellationToken cancellationToken)
    {
        var file = context.ResolvePath(options.File);
        var findings = new ArchiveFindings(file);

        // Synchronous reads of one file, start to end: one worker thread, cancellable between entries.
        await Task.Run(() => ArchiveInspector.Inspect(file, findings, cancellationToken), cancellationToken);
        if (options.DumpStep is not null)
        {
            CompareWithDump(context, options.DumpStep, findings);
        }

        var report = options.Report is null ? null : context.ResolvePath(options.Report);
        if (report is not null)
        {
            context.Files.WriteText(report, findings.Render(context.Time.GetLocalNow()));
        }

        if (findings.Problems.Count > 0)
        {
            var shown = string.Join("; ", findings.Problems.Take(ProblemsInMessage));
            var more = findings.Problems.Count > ProblemsInMessage ? $"; and {findings.Problems.Count - ProblemsInMessage} more{(report is null ? string.Empty : $" in {report}")}" : string.Empty;
            throw new StepFailedException($"{file} failed verification: {shown}{more}");
        }

        var counts = findings.Counts();
        context.Log.Information("  {File}: {Members} gzip member(s), {Entries} tar entries, {Collections} collections with {Documents} documents, {Bytes} read; all good", file, findings.GzipMembers, findings.Entries, counts.Count, counts.Values.Sum(), ByteSize.Format(findings.UncompressedBytes));
        var outputs = new StepOutputs()
            .Add("file", file)
            .Add("verified", true)
            .Add("size_bytes", findings.SizeBytes)
            .Add("sha256", findings.Sha256)
            .Add("gzip_members", findings.GzipMembers)
            .Add("uncompressed_bytes", findings.UncompressedBytes)
            .Add("entries", findings.Entries)
            .Add("collections", counts.Count)
            .Add("documents", counts.Values.Sum())
            .Add("collection_counts", counts.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal));
        if (report is not null)
        {
            outputs.Add("report", report);
        }

        return outputs;
    }

    /// <summary>The dump step's collection_counts and sha256 outputs against what the archive holds.</summary>
    private static void CompareWithDump(StepContext context, string dumpStep, ArchiveFindings findings)
    {
        var step = context.EarlierStep(dumpStep);
        if (step?.Outputs.Numbers("collection_counts") is not { } expected)
        {
            findings.Problems.Add($"step '{dumpStep}' recorded no collection counts to compare with (is it the mongo.dump step, and did it run?)");
            return;
        }

        findings.CompareWith(dumpStep, expected);
        if (step.Outputs.Text("sha256") is { } written && findings.Sha256 is not null && !string.Equals(written, findings.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            findings.Problems.Add($"the file's SHA-256 is {findings.Sha256}, not the {written} step '{dumpStep}' wrote: it changed after it was written");
        }
    }
}

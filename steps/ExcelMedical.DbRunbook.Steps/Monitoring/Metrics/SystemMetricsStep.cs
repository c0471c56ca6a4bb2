using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

/// <summary>
/// CPU, memory, disk and load of the machine the monitor runs on. CPU is the average since the
/// previous run (its /proc/stat sample is kept in the state), not a one-second snapshot; only the
/// first run samples briefly.
/// </summary>
[Step("system.metrics", "Measure the host: CPU % since the previous run, memory % (MemAvailable), disk % (and used/available bytes) of data and backup folders, load average")]
public sealed class SystemMetricsStep : Step<SystemMetricsOptions>
{
    public override Task<StepPlan> PlanAsync(StepContext context, SystemMetricsOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(StepPlan.Of(
            $"read CPU, memory and load from {options.Proc} and disk usage of {string.Join(", ", options.Paths.Select(context.ResolvePath))}",
            $"keep the CPU sample for the next run in {MonitorState.PathOf(context, context.StepId)}"));

    public override async Task<StepOutputs> ExecuteAsync(StepContext context, SystemMetricsOptions options, CancellationToken cancellationToken)
    {
        var set = new MetricSet();
        var host = Environment.MachineName;
        await MeasureCpuAsync(context, options, set, host, cancellationToken);
        Measure(set, "system.memory_pct", host, () =>
        {
            var (percent, total, available) = MemInfo.Read(options.Proc);
            set.Add("system.memory_pct", host, percent, "percent", $"{Engine.Model.ByteSize.Format(available)} available of {Engine.Model.ByteSize.Format(total)}");
            set.Details["memory_pct"] = percent;
            set.Details["memory_total_bytes"] = total;
        });
        Measure(set, "system.load", host, () =>
        {
            var fields = File.ReadAllText(Path.Combine(options.Proc, "loadavg")).Split(' ');
            var load = double.Parse(fields[0], CultureInfo.InvariantCulture);
            set.Add("system.load", host, load, string.Empty, $"1/5/15 min: {fields[0]} {fields[1]} {fields[2]}; {Environment.ProcessorCount} cores");
            set.Details["load"] = load;
            set.Details["cores"] = Environment.ProcessorCount;
        });
        var disks = new List<object?>();
        foreach (var path in options.Paths.Select(context.ResolvePath).Distinct(StringComparer.Ordinal))
        {
            Measure(set, "system.disk_pct", path, () =>
            {
                var folder = DiskSpace.ExistingFolder(path);

                // df: used = blocks − free; avail = blocks available to users; pct = ceil(used·100/(used+avail)).
                var drive = new DriveInfo(folder);
                var used = drive.TotalSize - drive.TotalFreeSpace;
                var available = drive.AvailableFreeSpace;
                var percent = used + available == 0 ? 0 : Math.Ceiling(100.0 * used / (used + available));
                set.Add("system.disk_pct", path, percent, "percent", $"{Engine.Model.ByteSize.Format(available)} free on {drive.Name}");
                // In bytes too, for the capacity forecast (monitor.html_report): growth per day and headroom.
                set.Add("system.disk_used_bytes", path, used, "bytes");
                set.Add("system.disk_available_bytes", path, available, "bytes");
                disks.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["path"] = path,
                    ["mount"] = drive.Name,
                    ["used_pct"] = percent,
                    ["size_bytes"] = drive.TotalSize,
                    ["available_bytes"] = available,
                });
            });
        }

        set.Details["disks"] = disks;
        return set.ToOutputs();
    }

    private static async Task MeasureCpuAsync(StepContext context, SystemMetricsOptions options, MetricSet set, string host, CancellationToken cancellationToken)
    {
        var path = MonitorState.PathOf(context, context.StepId);
        try
        {
            var previous = MonitorState.Load<CpuSample>(path);
            var now = CpuSample.Read(options.Proc, context.Time.GetUtcNow());
            var percent = previous is null ? null : now.PercentSince(previous);
            var since = previous?.At;
            if (percent is null)
            {
                await Task.Delay(options.FirstSample, context.Time, cancellationToken);
                var earlier = now;
                now = CpuSample.Read(options.Proc, context.Time.GetUtcNow());
                percent = now.PercentSince(earlier) ?? 0;
                since = earlier.At;
            }

            MonitorState.Save(context, path, now);
            set.Add("system.cpu_pct", host, percent.Value, "percent", string.Create(CultureInfo.InvariantCulture, $"average since {since:yyyy-MM-dd HH:mm:ss}"));
            set.Details["cpu_pct"] = percent.Value;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            set.Unknown("system.cpu_pct", host, ex.Message);
        }
    }

    private static void Measure(MetricSet set, string metric, string target, Action read)
    {
        try
        {
            read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidDataException or IndexOutOfRangeException or ArgumentException)
        {
            set.Unknown(metric, target, ex.Message);
        }
    }
}

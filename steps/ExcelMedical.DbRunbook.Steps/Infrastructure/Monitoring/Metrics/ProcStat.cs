using System.Globalization;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

/// <summary>
/// The aggregate CPU line of /proc/stat as busy and total jiffies (psutil's method: guest time
/// is already in user/nice; busy = total − idle − iowait), and CPU % between two samples.
/// </summary>
internal sealed record CpuSample(long Busy, long Total, DateTimeOffset At)
{
    public static CpuSample Read(string proc, DateTimeOffset at)
    {
        var line = File.ReadLines(Path.Combine(proc, "stat")).First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        long Field(int i) => i < fields.Length ? fields[i] : 0;
        var total = fields.Sum() - Field(8) - Field(9);
        var idle = Field(3) + Field(4);
        return new CpuSample(total - idle, total, at);
    }

    /// <summary>CPU % since <paramref name="earlier"/>, or null when the counters went back (a reboot) or did not move.</summary>
    public double? PercentSince(CpuSample earlier)
    {
        var total = Total - earlier.Total;
        var busy = Busy - earlier.Busy;
        return total <= 0 || busy < 0 ? null : Math.Round(100.0 * busy / total, 1);
    }
}

/// <summary>Memory use from /proc/meminfo: 1 − MemAvailable/MemTotal (the kernel's own estimate, Linux ≥ 3.14).</summary>
internal static class MemInfo
{
    public static (double Percent, long TotalBytes, long AvailableBytes) Read(string proc)
    {
        long total = 0, available = 0;
        foreach (var line in File.ReadLines(Path.Combine(proc, "meminfo")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
            {
                if (parts[0] == "MemTotal:")
                {
                    total = kb * 1024;
                }
                else if (parts[0] == "MemAvailable:")
                {
                    available = kb * 1024;
                }
            }
        }

        if (total == 0)
        {
            throw new InvalidDataException("MemTotal missing from meminfo");
        }

        return (Math.Round(100.0 * (total - available) / total, 1), total, available);
    }
}

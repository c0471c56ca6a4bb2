using System.Text.Json;
using System.Text.Json.Serialization;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.State;

/// <summary>
/// Run records as JSON files under <c>&lt;state&gt;/runs/&lt;playbook&gt;/</c>. The only code that
/// writes or reads them: runs save through it, and <c>runbook history</c>, the scheduler and
/// restore drills read them back through it.
/// </summary>
public sealed class RunStore(string stateDirectory)
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string StateDirectory { get; } = stateDirectory;

    public string RunsDirectory => Path.Combine(StateDirectory, "runs");

    /// <summary>The folder of one playbook's records.</summary>
    public string FolderOf(string playbook) => Path.Combine(RunsDirectory, State.StateDirectory.FileNameOf(playbook));

    /// <summary>Writes the record, masked like every other output, and returns its path.</summary>
    internal string Save(RunRecord record, SecretMasker masker)
    {
        var path = Path.Combine(FolderOf(record.Playbook), $"{record.Id}.json");
        SecureFiles.WriteAllText(path, masker.Serialize(record, JsonOptions));
        return path;
    }

    internal static string Serialize(RunRecord record) => JsonSerializer.Serialize(record, JsonOptions);

    /// <summary>
    /// Marks the records of <paramref name="playbook"/> still saying <c>running</c> as
    /// <c>interrupted</c>: their process ended without finishing them (killed, crashed, power
    /// lost). Call only while holding the playbook's lock: then no other run of it is going on,
    /// except, on this host, a process that is still alive (left alone: it is not ours to judge).
    /// Returns the records it marked.
    /// </summary>
    internal IReadOnlyList<StoredRun> MarkInterrupted(string playbook, string currentRunId, DateTimeOffset now)
    {
        var marked = new List<StoredRun>();
        foreach (var run in Runs(playbook).Where(r => r.Status == RunStatus.Running && !r.DryRun && r.Id != currentRunId))
        {
            var thisHost = run.Host is null || run.Host == System.Environment.MachineName;
            if (thisHost && run.Pid is { } pid && pid != System.Environment.ProcessId && IsAlive(pid))
            {
                continue;
            }

            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(run.Path))!.AsObject();
            var where = run.Pid is { } p ? $" (process {p} on {run.Host ?? "this host"})" : string.Empty;
            var error = $"interrupted: the run{where} ended without finishing; found by the next run at {now:yyyy-MM-dd HH:mm:ss zzz}";
            node["status"] = StatusNames.Of(RunStatus.Interrupted);
            node["exit_code"] = ExitCodes.Of(RunStatus.Interrupted);
            node["error"] = error;
            SecureFiles.WriteAllText(run.Path, node.ToJsonString(JsonOptions));
            marked.Add(run with { Status = RunStatus.Interrupted, Error = error });
        }

        return marked;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Every readable record of a playbook, newest first (dry runs included: check <see cref="StoredRun.DryRun"/>).</summary>
    public IReadOnlyList<StoredRun> Runs(string playbook) => Read([FolderOf(playbook)], int.MaxValue);

    /// <summary>The most recent runs first, optionally of one playbook.</summary>
    public IReadOnlyList<StoredRun> History(string? playbook = null, int limit = 20) =>
        Read(playbook is null ? Folders() : [FolderOf(playbook)], limit);

    private IEnumerable<string> Folders() =>
        Directory.Exists(RunsDirectory) ? Directory.EnumerateDirectories(RunsDirectory) : [];

    private static List<StoredRun> Read(IEnumerable<string> folders, int limit) =>
        [.. folders
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.json"))
            .Select(ReadOne)
            .OfType<StoredRun>()
            .OrderByDescending(run => run.Started)
            .Take(limit)];

    private static StoredRun? ReadOne(string path)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<StoredRun>(File.ReadAllText(path), JsonOptions);
            return stored is null || stored.Id is null ? null : stored with { Path = path };
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}

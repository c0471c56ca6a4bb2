using System.Text.Json;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring;

/// <summary>
/// Small JSON files a monitoring step keeps between runs (the previous CPU and cache counters,
/// the alert lifecycle) under <c>&lt;state&gt;/monitor/&lt;playbook&gt;/</c>. Written under a
/// temporary name and renamed, so a crash never leaves half a file; an unreadable file counts as
/// no previous state.
/// </summary>
internal static class MonitorState
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string PathOf(StepContext context, string name) =>
        Path.Combine(context.StateDirectory, "monitor", StateDirectory.FileNameOf(context.Run.Playbook), StateDirectory.FileNameOf(name) + ".json");

    public static T? Load<T>(string path)
        where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Save<T>(StepContext context, string path, T state) => context.Files.WriteJson(path, state, Json);
}

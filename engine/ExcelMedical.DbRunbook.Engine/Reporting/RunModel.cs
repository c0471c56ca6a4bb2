using System.Text.Json;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.State;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Reporting;

/// <summary>
/// Exposes the run record to templates as <c>run.*</c> with the same field names as the JSON
/// record (<c>run.steps[0].duration</c>, <c>run.error</c>), so reports and notifications read
/// one documented model.
/// </summary>
internal static class RunModel
{
    public static void Publish(TemplateScope scope, RunRecord record)
    {
        var element = JsonSerializer.SerializeToElement(record, RunStore.JsonOptions);
        foreach (var property in element.EnumerateObject())
        {
            scope.SetRun(property.Name, ToPlain(property.Value));
        }

        // Dates stay dates so templates can format them: {{ run.started | date.to_string '%F %T' }}.
        scope.SetRun("started", record.Started.DateTime);
        scope.SetRun("finished", record.Finished?.DateTime);
        scope.SetRun("duration_seconds", Math.Round(record.Duration.TotalSeconds, 1));
        scope.SetRun("status", StatusNames.Of(record.Status));
    }

    /// <summary>A JSON value as plain dictionaries, lists, text and numbers.</summary>
    public static object? ToPlain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToPlain(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

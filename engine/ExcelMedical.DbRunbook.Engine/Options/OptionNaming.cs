using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>
/// The single naming rule for option keys (<c>KeepDays</c> is written <c>keep_days</c>). The
/// binder, the docs and the JSON Schema all use it, so they cannot disagree.
/// </summary>
internal static class OptionNaming
{
    public static readonly JsonNamingPolicy Policy = JsonNamingPolicy.SnakeCaseLower;

    public static string NameOf(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? Policy.ConvertName(property.Name);
}

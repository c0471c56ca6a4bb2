using System.Collections;
using System.Globalization;

namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>
/// Typed reads of a step's outputs, the same whether the step ran in this run (values as the step
/// produced them) or in an earlier run whose record was read back (values as JSON gave them).
/// </summary>
public static class OutputValues
{
    public static string? Text(this IReadOnlyDictionary<string, object?> outputs, string name) =>
        outputs.TryGetValue(name, out var value) && value is string text ? text : null;

    public static bool Flag(this IReadOnlyDictionary<string, object?> outputs, string name) =>
        outputs.TryGetValue(name, out var value) && value is true;

    public static long? Number(this IReadOnlyDictionary<string, object?> outputs, string name) =>
        outputs.TryGetValue(name, out var value) ? AsNumber(value) : null;

    /// <summary>A list output of text, e.g. postgres.dump's <c>table_names</c>.</summary>
    public static IReadOnlyList<string>? Strings(this IReadOnlyDictionary<string, object?> outputs, string name) =>
        outputs.TryGetValue(name, out var value) && value is IEnumerable items and not string
            ? [.. items.OfType<string>()]
            : null;

    /// <summary>A map output of numbers, e.g. postgres.verify's <c>table_rows</c>.</summary>
    public static IReadOnlyDictionary<string, long>? Numbers(this IReadOnlyDictionary<string, object?> outputs, string name) =>
        Map(outputs, name)?
            .Select(pair => (pair.Key, Value: AsNumber(pair.Value)))
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value!.Value, StringComparer.Ordinal);

    /// <summary>A map output of text, e.g. postgres.dump's <c>table_checksums</c> or s3.upload's <c>objects</c>.</summary>
    public static IReadOnlyDictionary<string, string>? Texts(this IReadOnlyDictionary<string, object?> outputs, string name) =>
        Map(outputs, name)?
            .Where(pair => pair.Value is string)
            .ToDictionary(pair => pair.Key, pair => (string)pair.Value!, StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, object?>>? Map(IReadOnlyDictionary<string, object?> outputs, string name) =>
        outputs.TryGetValue(name, out var value) ? value switch
        {
            IReadOnlyDictionary<string, object?> map => map,
            IDictionary dictionary => dictionary.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(e.Key.ToString() ?? string.Empty, e.Value)),
            _ => null,
        } : null;

    private static long? AsNumber(object? value) => value switch
    {
        long whole => whole,
        int small => small,
        double real when real == Math.Floor(real) => (long)real,
        decimal exact => (long)exact,
        string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}

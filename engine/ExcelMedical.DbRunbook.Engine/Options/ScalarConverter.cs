using System.Globalization;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>Converts the text of a YAML scalar (after rendering) into an option's CLR type.</summary>
internal static class ScalarConverter
{
    public static bool IsScalarType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long)
            || type == typeof(double) || type == typeof(decimal) || type == typeof(TimeSpan) || type.IsEnum;
    }

    public static bool TryConvert(string text, Type type, out object? value, out string expected)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        expected = Describe(target);
        text = target == typeof(string) ? text : text.Trim();
        if (target == typeof(string))
        {
            value = text;
            return true;
        }

        if (target == typeof(bool))
        {
            var ok = bool.TryParse(text, out var b);
            value = b;
            return ok;
        }

        if (target == typeof(int))
        {
            var ok = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i);
            value = i;
            return ok;
        }

        if (target == typeof(long))
        {
            var ok = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l);
            value = l;
            return ok;
        }

        if (target == typeof(double))
        {
            var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
            value = d;
            return ok;
        }

        if (target == typeof(decimal))
        {
            var ok = decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var m);
            value = m;
            return ok;
        }

        if (target == typeof(TimeSpan))
        {
            var ok = Duration.TryParse(text, out var t, out var tooLong);
            value = t;
            expected = tooLong ? $"a duration of at most {Duration.Format(Duration.Longest)}" : expected;
            return ok;
        }

        if (target.IsEnum)
        {
            var name = EnumNames(target).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                return false;
            }

            value = Enum.Parse(target, name.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);
            return true;
        }

        return false;
    }

    /// <summary>Enum members as written in YAML: <c>ParallelDirectory</c> is <c>parallel_directory</c>.</summary>
    public static IReadOnlyList<string> EnumNames(Type enumType) =>
        [.. Enum.GetNames(enumType).Select(OptionNaming.Policy.ConvertName)];

    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "text",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) => "a number",
            _ when type == typeof(TimeSpan) => "a duration such as 30s, 5m or 1h30m",
            _ when type.IsEnum => "one of " + string.Join(", ", EnumNames(type)),
            _ => type.Name,
        };
    }
}

using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Engine.Steps;

namespace ExcelMedical.DbRunbook.Engine.Reporting;

/// <summary>The text of <c>runbook steps</c>: every step and every option, from the same declarations as the schema.</summary>
internal static class StepDocumentation
{
    public static void WriteCatalog(StepCatalog catalog, TextWriter output)
    {
        var width = catalog.Names.Max(n => n.Length) + 2;
        output.WriteLine("Steps (use `runbook steps <name>` for options):");
        foreach (var step in catalog.All)
        {
            output.WriteLine($"  {step.Name.PadRight(width)}{step.Summary}");
        }
    }

    public static void WriteStep(StepDescriptor step, TextWriter output)
    {
        output.WriteLine($"{step.Name}: {step.Summary}");
        output.WriteLine();
        output.WriteLine("Options (under with:):");
        WriteOptions(step.OptionsType, output, "  ");
    }

    private static void WriteOptions(Type optionsType, TextWriter output, string indent)
    {
        foreach (var option in OptionDescriptor.For(optionsType))
        {
            var facts = new List<string> { TypeName(option.Type) };
            if (option.Required)
            {
                facts.Add("required");
            }
            else if (!option.Secret && DefaultText(option.DefaultValue) is { } value)
            {
                facts.Add($"default {value}");
            }

            if (option.Secret)
            {
                facts.Add("secret");
            }

            output.WriteLine($"{indent}{option.Name} ({string.Join(", ", facts)})");
            if (option.Description.Length > 0)
            {
                output.WriteLine($"{indent}    {option.Description}");
            }

            var element = ElementType(option.Type);
            if (element is not null && !ScalarConverter.IsScalarType(element))
            {
                WriteOptions(element, output, indent + "    ");
            }
            else if (element is null && option.Type is { IsClass: true, IsGenericType: false } nested && !ScalarConverter.IsScalarType(nested))
            {
                // A mapping of named options (e.g. the restore steps' s3:), documented like the step's own.
                WriteOptions(nested, output, indent + "    ");
            }
        }
    }

    private static string? DefaultText(object? value) => value switch
    {
        null => null,
        string { Length: 0 } => null,
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        TimeSpan t => Duration.Format(t),
        Enum e => OptionNaming.Policy.ConvertName(e.ToString()),
        System.Collections.ICollection { Count: 0 } => null,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object>()) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string TypeName(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        if (ScalarConverter.IsScalarType(inner))
        {
            return inner.IsEnum ? string.Join(" | ", ScalarConverter.EnumNames(inner)) : ScalarConverter.Describe(inner);
        }

        if (inner.IsGenericType && inner.GetGenericArguments() is [var key, var value] && key == typeof(string))
        {
            return $"mapping of names to {TypeName(value)}";
        }

        return ElementType(inner) is { } element ? $"list of {(ScalarConverter.IsScalarType(element) ? TypeName(element) : "mappings")}" : "mapping";
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var element] ? element
        : null;
}

using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Serialization;
using ExcelMedical.DbRunbook.Engine.Secrets;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>
/// One option of a step, read from its options class: the declaration that drives binding,
/// validation, <c>runbook steps</c> and the schema.
/// </summary>
internal sealed record OptionDescriptor(
    string Name,
    PropertyInfo Property,
    string Description,
    bool Required,
    bool Secret,
    bool IsConnection,
    bool IsStepReference,
    object? DefaultValue,
    IReadOnlyList<ValidationAttribute> Validators)
{
    public Type Type => Property.PropertyType;

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<OptionDescriptor>> Cache = new();

    /// <summary>
    /// The options of a class, in declaration order; options inherited from a base class follow the
    /// class's own, and <see cref="JsonPropertyOrderAttribute"/> moves an option (e.g. a shared base's
    /// connection to the front), as System.Text.Json orders them, so the schema and <c>runbook steps</c> agree.
    /// </summary>
    public static IReadOnlyList<OptionDescriptor> For(Type optionsType) => Cache.GetOrAdd(optionsType, Describe);

    private static IReadOnlyList<OptionDescriptor> Describe(Type optionsType)
    {
        // Defaults come from a fresh instance, so property initialisers are the one place they live.
        var defaults = Activator.CreateInstance(optionsType)
            ?? throw new InvalidOperationException($"{optionsType.Name} needs a public parameterless constructor");
        return [.. optionsType
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .OrderBy(p => p.GetCustomAttribute<JsonPropertyOrderAttribute>(inherit: false)?.Order ?? 0)
            .ThenByDescending(p => InheritanceDepth(p.DeclaringType))
            .ThenBy(p => p.MetadataToken)
            .Select(p => new OptionDescriptor(
                OptionNaming.NameOf(p),
                p,
                p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? string.Empty,
                p.GetCustomAttribute<RequiredAttribute>() is not null,
                p.GetCustomAttribute<SecretAttribute>() is not null,
                p.GetCustomAttribute<ConnectionAttribute>() is not null,
                p.GetCustomAttribute<StepReferenceAttribute>() is not null,
                p.GetValue(defaults),
                [.. p.GetCustomAttributes<ValidationAttribute>().Where(a => a is not RequiredAttribute)]))];
    }

    // MetadataToken orders the members of one class only; across a class and its base it follows the order the compiler emitted the types.
    private static int InheritanceDepth(Type? type)
    {
        var depth = 0;
        for (; type?.BaseType is not null; type = type.BaseType)
        {
            depth++;
        }

        return depth;
    }
}

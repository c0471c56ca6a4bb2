using System.Collections;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Options;

/// <summary>
/// Binds a step's <c>with:</c> mapping to its options class, reporting every problem with the
/// line it is on: unknown keys (with a suggestion), missing required options, values of the
/// wrong type, and failed validation attributes.
/// </summary>
internal sealed class OptionsBinder
{
    private readonly IScalarSource _source;
    private readonly List<Diagnostic> _diagnostics = [];
    private readonly List<string> _secrets = [];

    private OptionsBinder(IScalarSource source) => _source = source;

    public static BindResult Bind(Type optionsType, MappingNode with, IScalarSource source, string owner)
    {
        var binder = new OptionsBinder(source);
        var options = binder.BindObject(optionsType, with, owner, out var allKnown);
        if (allKnown && binder._diagnostics.Count == 0 && options is IValidatableObject validatable)
        {
            // Rules across options (e.g. "exclude only with include") run once every value is known.
            foreach (var result in validatable.Validate(new ValidationContext(options)))
            {
                binder._diagnostics.Add(new Diagnostic(with.Location, $"{owner}: {result.ErrorMessage}"));
            }
        }

        return new BindResult(options, binder._diagnostics, binder._secrets);
    }

    private object BindObject(Type type, MappingNode node, string owner, out bool allKnown)
    {
        allKnown = true;
        var options = Activator.CreateInstance(type)!;
        var descriptors = OptionDescriptor.For(type);
        var names = descriptors.Select(d => d.Name).ToList();
        foreach (var entry in node.Entries)
        {
            if (!names.Contains(entry.Name))
            {
                var known = names.Count == 0 ? " (it takes no options)" : DidYouMean.Hint(entry.Name, names);
                Report(entry.Key.Location, $"unknown option '{entry.Name}' for {owner}{known}");
            }
        }

        foreach (var option in descriptors)
        {
            var entry = node.Find(option.Name);
            if (entry is null || entry.Value is ScalarNode { IsNull: true })
            {
                if (option.Required)
                {
                    Report(entry?.Value.Location ?? node.Location, $"{owner} is missing the required option '{option.Name}'");
                }

                continue;
            }

            var known = TryBindValue(option.Type, entry.Value, $"'{option.Name}' of {owner}", out var value);
            if (!known)
            {
                allKnown = false;
                continue;
            }

            if (value is null)
            {
                continue;
            }

            if (option.Secret && value is string secret)
            {
                _secrets.Add(secret);
            }

            if (Validate(option, value, options, entry.Value.Location, owner))
            {
                option.Property.SetValue(options, value);
            }
        }

        return options;
    }

    /// <summary>Returns false when the value is not known yet; a wrong value is reported and bound as null.</summary>
    private bool TryBindValue(Type type, ValueNode node, string what, out object? value)
    {
        value = null;
        if (ScalarConverter.IsScalarType(type))
        {
            if (node is not ScalarNode scalar)
            {
                Report(node.Location, $"{what} must be {ScalarConverter.Describe(type)}, not {node.Shape}");
                return true;
            }

            if (!_source.TryResolve(scalar, out var text))
            {
                return false;
            }

            if (text is null)
            {
                return true;
            }

            if (!ScalarConverter.TryConvert(text, type, out value, out var expected))
            {
                Report(node.Location, $"{what} must be {expected}, not '{text}'");
                value = null;
            }

            return true;
        }

        if (DictionaryValueType(type) is { } dictionaryValueType)
        {
            return TryBindDictionary(dictionaryValueType, node, what, out value);
        }

        if (ElementType(type) is { } elementType)
        {
            return TryBindList(type, elementType, node, what, out value);
        }

        if (node is not MappingNode mapping)
        {
            Report(node.Location, $"{what} must be a mapping, not {node.Shape}");
            return true;
        }

        value = BindObject(type, mapping, what, out var allKnown);
        return allKnown;
    }

    private bool TryBindList(Type listType, Type elementType, ValueNode node, string what, out object? value)
    {
        value = null;
        if (node is not SequenceNode sequence)
        {
            Report(node.Location, $"{what} must be a list, not {node.Shape}");
            return true;
        }

        var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        var allKnown = true;
        foreach (var item in sequence.Items)
        {
            if (TryBindValue(elementType, item, what, out var element))
            {
                if (element is not null)
                {
                    items.Add(element);
                }
            }
            else
            {
                allKnown = false;
            }
        }

        if (listType.IsArray)
        {
            var array = Array.CreateInstance(elementType, items.Count);
            items.CopyTo(array, 0);
            value = array;
        }
        else
        {
            value = items;
        }

        return allKnown;
    }

    private bool TryBindDictionary(Type valueType, ValueNode node, string what, out object? value)
    {
        value = null;
        if (node is not MappingNode mapping)
        {
            Report(node.Location, $"{what} must be a mapping of names to values, not {node.Shape}");
            return true;
        }

        var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
        var allKnown = true;
        foreach (var entry in mapping.Entries)
        {
            if (TryBindValue(valueType, entry.Value, $"'{entry.Name}' in {what}", out var item))
            {
                dictionary[entry.Name] = item;
            }
            else
            {
                allKnown = false;
            }
        }

        value = dictionary;
        return allKnown;
    }

    private bool Validate(OptionDescriptor option, object value, object instance, SourceLocation location, string owner)
    {
        var context = new ValidationContext(instance) { MemberName = option.Property.Name, DisplayName = option.Name };
        var valid = true;
        foreach (var validator in option.Validators)
        {
            var result = validator.GetValidationResult(value, context);
            if (result != ValidationResult.Success)
            {
                Report(location, $"'{option.Name}' of {owner}: {result?.ErrorMessage}");
                valid = false;
            }
        }

        return valid;
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && type.GetGenericArguments().Length == 1)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static Type? DictionaryValueType(Type type)
    {
        if (!type.IsGenericType || type.GetGenericArguments() is not [var key, var value] || key != typeof(string))
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>)
            ? value
            : null;
    }

    private void Report(SourceLocation location, string message) => _diagnostics.Add(new Diagnostic(location, message));
}

using Scriban;
using Scriban.Runtime;

namespace ExcelMedical.DbRunbook.Engine.Templating;

/// <summary>
/// The members of Scriban's built-in objects (<c>date</c>, <c>string</c>, <c>math</c> ...). A
/// misspelt one (<c>date.to_strin</c>) renders as nothing at run time, silently: a backup file
/// named <c>postgres_.sql.gz</c>. Validation looks them up here instead.
/// </summary>
internal static class BuiltinMembers
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Objects = Read();

    /// <summary>The members of the built-in object <paramref name="name"/>, or null when it is not one.</summary>
    public static IReadOnlyList<string>? Of(string name) => Objects.GetValueOrDefault(name);

    private static Dictionary<string, IReadOnlyList<string>> Read()
    {
        var builtins = new TemplateContext().BuiltinObject;
        var objects = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in builtins.Keys)
        {
            if (builtins[name] is ScriptObject members && members.Count > 0)
            {
                objects[name] = [.. members.Keys.Order(StringComparer.Ordinal)];
            }
        }

        return objects;
    }
}

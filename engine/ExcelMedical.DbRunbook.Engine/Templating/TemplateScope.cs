using System.Collections;
using Scriban.Runtime;

namespace ExcelMedical.DbRunbook.Engine.Templating;

/// <summary>
/// What a template can see: <c>env</c>, <c>vars</c>, <c>run</c> and <c>steps</c>. The scope grows
/// as the run goes: each finished step adds its status and outputs.
/// </summary>
public sealed class TemplateScope
{
    private readonly ScriptObject _env = [];
    private readonly ScriptObject _vars = [];
    private readonly ScriptObject _run = [];
    private readonly ScriptObject _steps = [];

    public TemplateScope()
    {
        Globals = new ScriptObject
        {
            ["env"] = _env,
            ["vars"] = _vars,
            ["run"] = _run,
            ["steps"] = _steps,
        };
        TemplateFunctions.Import(Globals);
    }

    internal ScriptObject Globals { get; }

    public void SetEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        _env.Clear();
        foreach (var (name, value) in environment)
        {
            _env[name] = value;
        }
    }

    public void SetVariable(string name, object? value) => _vars[name] = ToScriptValue(value);

    public object? GetVariable(string name) => _vars.TryGetValue(name, out var value) ? value : null;

    public void SetRun(string name, object? value) => _run[name] = ToScriptValue(value);

    public void SetStep(string id, string status, IReadOnlyDictionary<string, object?> outputs)
    {
        _steps[id] = new ScriptObject
        {
            ["status"] = status,
            ["outputs"] = ToScriptValue(outputs),
        };
    }

    /// <summary>Adds a named object (e.g. the run report for notification templates).</summary>
    public void SetGlobal(string name, object? value) => Globals[name] = ToScriptValue(value);

    /// <summary>Converts dictionaries and lists into Scriban objects so templates can walk them.</summary>
    internal static object? ToScriptValue(object? value)
    {
        switch (value)
        {
            case null or string or ScriptObject or ScriptArray:
                return value;
            case IReadOnlyDictionary<string, object?> map:
            {
                var obj = new ScriptObject();
                foreach (var (key, item) in map)
                {
                    obj[key] = ToScriptValue(item);
                }

                return obj;
            }

            case IDictionary dictionary:
            {
                var obj = new ScriptObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    obj[entry.Key.ToString() ?? string.Empty] = ToScriptValue(entry.Value);
                }

                return obj;
            }

            case IEnumerable sequence:
            {
                var array = new ScriptArray();
                foreach (var item in sequence)
                {
                    array.Add(ToScriptValue(item));
                }

                return array;
            }

            default:
                return value;
        }
    }
}

using System.CommandLine;
using ExcelMedical.DbRunbook.Engine.Execution;
using ExcelMedical.DbRunbook.Engine.Schema;

namespace ExcelMedical.DbRunbook.Cli.Commands;

/// <summary><c>runbook schema</c>: regenerate schema/playbook.schema.json from the step declarations.</summary>
internal static class SchemaCommand
{
    public const string DefaultPath = "schema/playbook.schema.json";

    public static Command Create(RunbookHost host)
    {
        var output = new Option<string>("--output", "-o") { Description = "Where to write it; '-' prints it.", DefaultValueFactory = _ => DefaultPath };
        var command = new Command("schema", "Write the JSON Schema of playbooks (for editors: yaml-language-server).") { output };
        command.SetAction(async (result, cancellationToken) =>
        {
            var schema = PlaybookSchema.Generate(host.Steps);
            var path = result.GetValue(output)!;
            if (path == "-")
            {
                await host.Out.WriteAsync(schema);
                return ExitCodes.Success;
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null && !Directory.Exists(folder))
            {
                await host.Error.WriteLineAsync($"error: the folder {folder} does not exist (run this from the repository root, or pass --output)");
                return ExitCodes.Invalid;
            }

            await File.WriteAllTextAsync(path, schema, cancellationToken);
            await host.Out.WriteLineAsync($"wrote {path}");
            return ExitCodes.Success;
        });
        return command;
    }
}

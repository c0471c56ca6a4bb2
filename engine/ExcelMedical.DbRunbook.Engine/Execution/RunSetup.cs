using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Model;
using ExcelMedical.DbRunbook.Engine.Secrets;
using ExcelMedical.DbRunbook.Engine.Templating;

namespace ExcelMedical.DbRunbook.Engine.Execution;

/// <summary>
/// Prepares what a run needs before its first step: the environment (.env merged under the real
/// one), the variables in order, the connections and the log path, registering every secret
/// with the masker as soon as it is known.
/// </summary>
internal sealed class RunSetup(RunbookHost host, Playbook playbook, RunRequest request, SecretMasker masker, TemplateScope scope)
{
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public ConnectionRegistry Connections { get; private set; } = ConnectionRegistry.Empty;

    /// <summary>
    /// Loads the environment; a .env file named on the command line must exist, a missing
    /// env_file of the playbook is a warning. Only a regular file within
    /// <see cref="LoadLimits.MaxEnvFileBytes"/> is read: a FIFO would hang the run, /dev/zero fill memory.
    /// </summary>
    public bool TryLoadEnvironment(DiagnosticBag problems)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        var envFile = request.EnvFile ?? playbook.EnvFile?.Value;
        if (envFile is not null)
        {
            var path = request.EnvFile is not null
                ? Path.GetFullPath(envFile)
                : Path.GetFullPath(Path.Combine(playbook.Directory, envFile));
            if (IO.FileKinds.Of(path) != IO.FileKind.Missing)
            {
                foreach (var (name, value) in DotEnvFile.Read(path, problems, LoadLimits.Default.MaxEnvFileBytes) ?? new Dictionary<string, string>())
                {
                    merged[name] = value;
                }
            }
            else if (request.EnvFile is not null)
            {
                problems.Add(SourceLocation.Unknown(path), "the --env-file does not exist");
            }
            else
            {
                problems.AddWarning(playbook.EnvFile!.Location, $"the env_file {path} does not exist; only the process environment is used");
            }
        }

        // Real environment variables win over the file, as with docker and systemd.
        foreach (var (name, value) in host.Environment)
        {
            merged[name] = value;
        }

        foreach (var (name, value) in merged)
        {
            masker.AddIfSecretName(name, value);
        }

        Environment = merged;
        scope.SetEnvironment(merged);
        return !problems.HasErrors;
    }

    /// <summary>Renders variables top to bottom (each can read those above), then connections.</summary>
    public bool TryRenderValues(DiagnosticBag problems)
    {
        foreach (var (name, value) in request.Vars)
        {
            masker.AddIfSecretName(name, value);
        }

        foreach (var variable in playbook.Vars)
        {
            if (request.Vars.TryGetValue(variable.Name, out var overridden))
            {
                scope.SetVariable(variable.Name, overridden);
                continue;
            }

            var value = Render(variable.Value, problems);
            if (value is string text)
            {
                masker.AddIfSecretName(variable.Name, text);
            }

            scope.SetVariable(variable.Name, value);
        }

        foreach (var (name, value) in request.Vars.Where(v => playbook.Vars.All(d => d.Name != v.Key)))
        {
            scope.SetVariable(name, value);
        }

        var connections = new Dictionary<string, ConnectionSettings>(StringComparer.Ordinal);
        foreach (var connection in playbook.Connections)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in connection.Fields.Entries)
            {
                if (Render(entry.Value, problems, asValue: false) is string text)
                {
                    fields[entry.Name] = CertificatePath(entry.Name, text);
                    if (entry.Name is "password" or "uri")
                    {
                        masker.Add(entry.Name == "password" ? text : UriPassword(text));
                    }
                }
            }

            connections[connection.Name] = new ConnectionSettings(connection.Name, fields);
        }

        Connections = new ConnectionRegistry(connections);
        return !problems.HasErrors;
    }

    public string? RenderLogPath(DiagnosticBag problems)
    {
        if (playbook.Log is null || Render(playbook.Log, problems) is not string path || path.Length == 0)
        {
            return null;
        }

        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(playbook.Directory, path));
    }

    /// <summary>Renders a value; <paramref name="asValue"/>: a variable or the log path, which may be a path (<see cref="TemplateEngine.RenderValue"/>).</summary>
    private object? Render(ValueNode node, DiagnosticBag problems, bool asValue = true)
    {
        try
        {
            return node switch
            {
                ScalarNode scalar => scalar.Value is null ? null : asValue ? host.Templates.RenderValue(scalar.Value, scope) : host.Templates.Render(scalar.Value, scope),
                SequenceNode sequence => sequence.Items.Select(i => Render(i, problems, asValue)).ToList(),
                MappingNode mapping => mapping.Entries.ToDictionary(e => e.Name, e => Render(e.Value, problems, asValue)),
                _ => null,
            };
        }
        catch (TemplateException ex)
        {
            problems.Add(node.Location, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Certificate and key files of a connection resolve against the playbook's folder like every
    /// other path (libpq would resolve them against the working directory); libpq's special
    /// <c>sslrootcert: system</c> stays as it is.
    /// </summary>
    private string CertificatePath(string field, string value) =>
        field is "sslrootcert" or "sslcert" or "sslkey" && value.Length > 0 && value != "system" && !Path.IsPathRooted(value)
            ? Path.GetFullPath(Path.Combine(playbook.Directory, value))
            : value;

    private static string? UriPassword(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.UserInfo.Split(':', 2) is [_, var password]
            ? Uri.UnescapeDataString(password)
            : null;
}

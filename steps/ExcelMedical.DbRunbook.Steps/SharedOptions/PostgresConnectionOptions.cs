using System.ComponentModel;
using System.Text.Json.Serialization;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// The connection option of the PostgreSQL steps that work on a playbook connection as it is
/// (maintenance, retention). Steps whose connection means something more (postgres.dump,
/// postgres.metrics, the restores) declare their own, with their own wording.
/// </summary>
public abstract class PostgresConnectionOptions
{
    // First in `runbook steps` and the schema, as in the steps that declare their own connection.
    [JsonPropertyOrder(-1)]
    [Connection]
    [Description("The playbook connection (host, port, user, password, database).")]
    public string Connection { get; set; } = "postgres";
}

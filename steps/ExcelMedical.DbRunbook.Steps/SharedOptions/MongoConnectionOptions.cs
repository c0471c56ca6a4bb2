using System.ComponentModel;
using System.Text.Json.Serialization;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.SharedOptions;

/// <summary>
/// The connection, database and server-selection options of the MongoDB steps that work on a
/// playbook connection's database as it is (maintenance, retention). Steps whose connection or
/// database means something more (mongo.dump, mongo.metrics, mongo.restore) declare their own.
/// </summary>
public abstract class MongoConnectionOptions
{
    // Connection and database first in `runbook steps` and the schema, as in the steps that declare their own.
    [JsonPropertyOrder(-2)]
    [Connection]
    [Description("The playbook connection; its uri (the guide's MONGO_URI) names the server, the credentials and the database.")]
    public string Connection { get; set; } = "mongo";

    [JsonPropertyOrder(-1)]
    [Description("The database (default: the one in the connection's uri).")]
    public string? Database { get; set; }

    [Description("How long to wait for a reachable server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

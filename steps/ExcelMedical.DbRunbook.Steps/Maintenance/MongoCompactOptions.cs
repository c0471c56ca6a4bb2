using System.ComponentModel;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class MongoCompactOptions
{
    [Connection]
    [Description("The playbook connection; its uri (the guide's MONGO_URI) names the server, the credentials and the database.")]
    public string Connection { get; set; } = "mongo";

    [Description("The database (default: the one in the connection's uri).")]
    public string? Database { get; set; }

    [Description("Compact only these collections (default: every collection except views and system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Compact even when the server is a replica set primary (compact needs force there). Compact the secondaries first; on MongoDB 4.4+ compact no longer blocks reads and writes, only metadata operations such as createIndex or drop.")]
    public bool Force { get; set; }

    [Description("How long to wait for a reachable server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

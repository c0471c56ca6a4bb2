using System.ComponentModel;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class MongoReindexOptions
{
    [Connection]
    [Description("The playbook connection; its uri (the guide's MONGO_URI) names the server, the credentials and the database.")]
    public string Connection { get; set; } = "mongo";

    [Description("The database (default: the one in the connection's uri).")]
    public string? Database { get; set; }

    [Description("Rebuild indexes of only these collections (default: every collection except views and system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Rebuild only indexes with these names (default: every index that can be rebuilt safely).")]
    public List<string> Indexes { get; set; } = [];

    [Description("How long to wait for a reachable server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

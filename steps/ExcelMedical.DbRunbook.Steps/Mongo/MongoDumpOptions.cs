using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Mongo;

public sealed class MongoDumpOptions
{
    [Connection]
    [Description("The playbook connection to dump; its uri (the guide's MONGO_URI) names the server, the credentials and the database.")]
    public string Connection { get; set; } = "mongo";

    [Required]
    [Description("Where the dump goes, e.g. \"{{ vars.day }}/mongo_{{ vars.stamp }}.tar.gz\": a gzipped tar whose top folder is the file's name without .tar.gz, holding <db>/<collection>.bson and .metadata.json as mongodump writes them. Written under a temporary name and renamed only when complete.")]
    public string File { get; set; } = string.Empty;

    [Description("The database to dump (default: the one in the connection's uri).")]
    public string? Database { get; set; }

    [Description("Dump only these collections (default: every collection and view except system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Leave out these collections.")]
    public List<string> ExcludeCollections { get; set; } = [];

    [Range(1, 100_000)]
    [Description("Documents per cursor batch; documents are streamed to disk, never held all in memory.")]
    public int BatchSize { get; set; } = 1000;

    [Range(1, 9)]
    [Description("gzip level (1-9). 5 is about 1.3x faster than 6 for ~4% larger files (zlib-ng); 1 is fastest.")]
    public int CompressionLevel { get; set; } = 5;

    [Description("How long to wait for a reachable server before failing (a stopped mongod or a wrong host fails after this).")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Description("Succeed even when the database has no collections to dump (by default that fails: it usually means a wrong database name).")]
    public bool AllowEmpty { get; set; }

    [Description("Fail before dumping when free space on the target disk is below the last backup's size times this factor.")]
    public double FreeSpaceFactor { get; set; } = 1.2;
}

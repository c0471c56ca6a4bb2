using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Restore;

public sealed class MongoRestoreOptions : RestoreSourceOptions
{
    [Connection]
    [Description("The server to restore to; its uri (the guide's MONGO_URI) names the credentials and the production database, which is refused as a target without confirm_overwrite_production.")]
    public string Connection { get; set; } = "mongo";

    [Description("The database to restore into (default: the uri's database + \"_restored\").")]
    public string? Database { get; set; }

    [Description("Which database folder of the archive to restore (default: the only one).")]
    public string? SourceDatabase { get; set; }

    [Description("The archive to restore: a mongo_*.tar.gz written by mongo.dump, or a tar.gz of a mongodump folder (<db>/<collection>.bson + .metadata.json).")]
    public override string? File { get; set; }

    [Description("A backup day folder, e.g. \"{{ vars.root }}/2026-11-24\": the newest file matching pattern in it is restored.")]
    public override string? Folder { get; set; }

    [Description("Which file of folder to restore (* and ? wildcards); the newest by name wins.")]
    public string Pattern { get; set; } = "mongo_*.tar.gz";

    [Description("The S3 copy to fetch when the archive is not on this machine: bucket, prefix (the day, e.g. \"2026-11-24/\") or key, endpoint and credentials. The object is downloaded and its SHA-256 checked against its metadata and the day's SHA256SUMS before anything else.")]
    public override S3SourceOptions? S3 { get; set; }

    [RegularExpression("^[0-9a-fA-F]{64}$", ErrorMessage = "sha256 must be 64 hexadecimal digits")]
    [Description("The SHA-256 the archive must have (e.g. from the backup's run record); checked before anything is restored. A SHA256SUMS next to the file is always checked.")]
    public string? Sha256 { get; set; }

    [Description("Drop each of the archive's collections in the target before restoring it (mongorestore --drop). Without it a target collection that already holds documents is refused.")]
    public bool Drop { get; set; }

    [Range(1, 100_000)]
    [Description("Documents per insert batch (batches also stay under 8 MiB).")]
    public int BatchSize { get; set; } = 1000;

    [Description("How long to wait for a reachable server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

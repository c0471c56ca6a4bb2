using System.ComponentModel;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class MongoCompactOptions : MongoConnectionOptions
{
    [Description("Compact only these collections (default: every collection except views and system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Compact even when the server is a replica set primary (compact needs force there). Compact the secondaries first; on MongoDB 4.4+ compact no longer blocks reads and writes, only metadata operations such as createIndex or drop.")]
    public bool Force { get; set; }
}

using System.ComponentModel;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;

public sealed class MongoMetricsOptions
{
    [Connection]
    [Description("The playbook connection with the MongoDB uri (the guide's MONGO_URI). A user with clusterMonitor reads every metric.")]
    public string Connection { get; set; } = "mongo";

    [Description("The database to measure (default: the one in the uri).")]
    public string? Database { get; set; }

    [Description("List operations running longer than this (currentOp, admin and local left out). The longest is always measured as mongo.operation_seconds.")]
    public TimeSpan LongOperationThreshold { get; set; } = TimeSpan.FromSeconds(30);

    [Description("How long to wait for the server before its metrics are UNKNOWN.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

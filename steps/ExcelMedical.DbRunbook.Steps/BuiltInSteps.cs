using ExcelMedical.DbRunbook.Engine.Steps;
using ExcelMedical.DbRunbook.Steps.Archives;
using ExcelMedical.DbRunbook.Steps.Backups;
using ExcelMedical.DbRunbook.Steps.Maintenance;
using ExcelMedical.DbRunbook.Steps.Mongo;
using ExcelMedical.DbRunbook.Steps.Monitoring.Alerts;
using ExcelMedical.DbRunbook.Steps.Monitoring.History;
using ExcelMedical.DbRunbook.Steps.Monitoring.Metrics;
using ExcelMedical.DbRunbook.Steps.Monitoring.Report;
using ExcelMedical.DbRunbook.Steps.Notify;
using ExcelMedical.DbRunbook.Steps.Postgres;
using ExcelMedical.DbRunbook.Steps.Reports;
using ExcelMedical.DbRunbook.Steps.Restore;
using ExcelMedical.DbRunbook.Steps.Retention;
using ExcelMedical.DbRunbook.Steps.S3;
using ExcelMedical.DbRunbook.Steps.Shell;

namespace ExcelMedical.DbRunbook.Steps;

/// <summary>Every step that ships with runbook. Adding a step is one line here.</summary>
public static class BuiltInSteps
{
    public static StepCatalog Create() => new StepCatalog()
        .Add<ShellStep>()
        .Add<PostgresDumpStep>()
        .Add<PostgresVerifyStep>()
        .Add<MongoDumpStep>()
        .Add<ArchiveVerifyStep>()
        .Add<RenderReportStep>()
        .Add<EmailStep>()
        .Add<SlackStep>()
        .Add<PruneBackupsStep>()
        .Add<ChecksumStep>()
        .Add<S3UploadStep>()
        .Add<PostgresRestoreStep>()
        .Add<MongoRestoreStep>()
        .Add<RestoreDrillStep>()
        .Add<PostgresMetricsStep>()
        .Add<MongoMetricsStep>()
        .Add<SystemMetricsStep>()
        .Add<EvaluateAlertsStep>()
        .Add<MetricsHistoryStep>()
        .Add<HtmlReportStep>()
        .Add<PostgresVacuumStep>()
        .Add<PostgresAnalyzeStep>()
        .Add<PostgresReindexStep>()
        .Add<PostgresVacuumFullStep>()
        .Add<PostgresUnusedIndexesStep>()
        .Add<PostgresRetentionStep>()
        .Add<MongoValidateStep>()
        .Add<MongoCompactStep>()
        .Add<MongoReindexStep>()
        .Add<MongoRetentionStep>();
}

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.S3;

/// <summary>
/// The options every S3 step declares to reach a bucket: s3.upload's flat options and the
/// restore steps' <c>s3:</c> mapping both implement it, so one <see cref="S3Target"/> builds the
/// client, resolves the credentials and explains the SDK's errors for uploads and downloads alike.
/// </summary>
internal interface IS3Endpoint
{
    string? Bucket { get; }

    string? ServiceUrl { get; }

    string? Region { get; }

    string? AccessKey { get; }

    string? SecretKey { get; }

    bool ForcePathStyle { get; }
}

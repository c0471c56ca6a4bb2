using ExcelMedical.DbRunbook.Testing.Mongo;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Maintenance;

/// <summary>
/// The platform's sample data at one reference time, in a PostgreSQL database and a MongoDB
/// database of the test's own (the shipped playbooks work on both), dropped afterwards.
/// </summary>
public sealed class SampleDatabases : IAsyncDisposable
{
    private SampleDatabases(FreshDatabase postgres, MongoEndpoint mongo, string mongoDatabase)
    {
        Postgres = postgres;
        Mongo = mongo;
        MongoDatabase = mongoDatabase;
    }

    public FreshDatabase Postgres { get; }

    public MongoEndpoint Mongo { get; }

    public string MongoDatabase { get; }

    /// <summary>The guide's MONGO_URI for the MongoDB database.</summary>
    public string MongoUri => new MongoUrlBuilder(Mongo.ConnectionString) { DatabaseName = MongoDatabase }.ToString();

    public static async Task<SampleDatabases> CreateAsync(DateTimeOffset reference, string prefix)
    {
        var postgres = await FreshDatabase.WithSampleDataAsync(reference, prefix);
        var mongo = await MongoEndpoint.Shared;
        var database = mongo.UniqueDatabaseName("excel_medical");
        using var client = mongo.CreateClient();
        await MongoSampleData.SeedAsync(client.GetDatabase(database), 1, reference);
        return new SampleDatabases(postgres, mongo, database);
    }

    /// <summary>The guide's .env variables for both databases.</summary>
    public Dictionary<string, string> GuideEnvironment()
    {
        var environment = Postgres.GuideEnvironment();
        environment["MONGO_URI"] = MongoUri;
        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        await Postgres.DisposeAsync();
        await Mongo.DropDatabaseAsync(MongoDatabase);
    }
}

using ExcelMedical.DbRunbook.MongoWireTestServer;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;

/// <summary>
/// A fresh server and an official-driver client for one test class, so counters and
/// currentOp are not disturbed by other classes running in parallel.
/// </summary>
public sealed class WireServerFixture : IAsyncLifetime
{
    private int databaseCount;

    public MongoWireServer Server { get; private set; } = null!;

    public MongoClient Client { get; private set; } = null!;

    public IMongoDatabase Admin => Client.GetDatabase("admin");

    public Task InitializeAsync()
    {
        Server = new MongoWireServer();
        Client = CreateClient();
        return Task.CompletedTask;
    }

    public MongoClient CreateClient()
    {
        var settings = MongoClientSettings.FromConnectionString(Server.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        return new MongoClient(settings);
    }

    /// <summary>A database no other test of the class uses.</summary>
    public IMongoDatabase NewDatabase(string prefix) =>
        Client.GetDatabase($"{prefix}_{Interlocked.Increment(ref databaseCount)}");

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Shorthands for running raw commands.</summary>
public static class CommandRunner
{
    public static Task<BsonDocument> RunAsync(this IMongoDatabase database, string json) =>
        database.RunCommandAsync<BsonDocument>(BsonDocument.Parse(json));

    public static Task<BsonDocument> RunAsync(this IMongoDatabase database, BsonDocument command) =>
        database.RunCommandAsync<BsonDocument>(command);
}

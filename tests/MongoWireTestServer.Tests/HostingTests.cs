using System.Diagnostics;
using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

/// <summary>Many connections at once, and stopping a server that still has clients.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Parallel_clients_see_each_others_writes()
    {
        await using var server = new MongoWireServer();
        var clients = Enumerable.Range(0, 4).Select(_ => ClientFor(server, TimeSpan.FromSeconds(5))).ToList();
        try
        {
            await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
            {
                var collection = client.GetDatabase("parallel").GetCollection<BsonDocument>("items");
                for (var batch = 0; batch < 5; batch++)
                {
                    await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "client", c }, { "i", i } }));
                    await collection.Find(new BsonDocument("client", c)).ToListAsync();
                }
            })));

            var total = await clients[0].GetDatabase("parallel").GetCollection<BsonDocument>("items").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);

            Assert.Equal(4 * 5 * 50, total);
            Assert.True(server.Counters.TotalConnections >= 4);
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task Disposing_the_server_closes_its_connections_promptly()
    {
        var server = new MongoWireServer();
        using var client = ClientFor(server, TimeSpan.FromSeconds(1));
        await client.GetDatabase("admin").RunAsync("{ ping: 1 }");
        Assert.True(server.Counters.CurrentConnections >= 1);

        var stopwatch = Stopwatch.StartNew();
        await server.DisposeAsync();
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"shutdown took {stopwatch.Elapsed}");
        Assert.Equal(0, server.Counters.CurrentConnections);
        await Assert.ThrowsAnyAsync<MongoException>(() => client.GetDatabase("admin").RunAsync("{ ping: 1 }"));
    }

    [Fact]
    public async Task A_failed_command_keeps_the_connection_usable()
    {
        await using var server = new MongoWireServer();
        using var client = ClientFor(server, TimeSpan.FromSeconds(5));
        var admin = client.GetDatabase("admin");
        await admin.RunAsync("{ ping: 1 }");
        var connectionsOpened = server.Counters.TotalConnections;

        await Assert.ThrowsAsync<MongoCommandException>(() => admin.RunAsync("{ find: 'x', filter: { a: { $bogus: 1 } } }"));
        await Assert.ThrowsAsync<MongoCommandException>(() => admin.RunAsync("{ collStats: 'x', scale: 'big' }"));
        var reply = await admin.RunAsync("{ ping: 1 }");

        // A dropped connection would make the driver open a new one for the last ping.
        Assert.Equal(1.0, reply["ok"].ToDouble());
        Assert.Equal(connectionsOpened, server.Counters.TotalConnections);
    }

    private static MongoClient ClientFor(MongoWireServer server, TimeSpan serverSelectionTimeout)
    {
        var settings = MongoClientSettings.FromConnectionString(server.ConnectionString);
        settings.ServerSelectionTimeout = serverSelectionTimeout;
        return new MongoClient(settings);
    }
}

using ExcelMedical.DbRunbook.MongoWireTestServer.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Servers;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Tests;

public sealed class HandshakeTests(WireServerFixture fixture) : IClassFixture<WireServerFixture>
{
    [Fact]
    public async Task The_official_driver_connects_and_pings()
    {
        var reply = await fixture.Admin.RunAsync("{ ping: 1 }");

        Assert.Equal(1.0, reply["ok"].ToDouble());
        var server = Assert.Single(fixture.Client.Cluster.Description.Servers);
        Assert.Equal(ServerType.Standalone, server.Type);
    }

    [Fact]
    public async Task Hello_describes_a_writable_standalone()
    {
        var reply = await fixture.Admin.RunAsync("{ hello: 1 }");

        Assert.True(reply["isWritablePrimary"].AsBoolean);
        Assert.False(reply.Contains("setName"));
        Assert.True(reply["maxWireVersion"].ToInt32() >= 17);
        Assert.Equal(16 * 1024 * 1024, reply["maxBsonObjectSize"].ToInt32());
    }

    [Fact]
    public async Task IsMaster_uses_the_legacy_field_name()
    {
        var reply = await fixture.Admin.RunAsync("{ isMaster: 1 }");

        Assert.True(reply["ismaster"].AsBoolean);
        Assert.False(reply.Contains("isWritablePrimary"));
    }

    [Fact]
    public async Task The_legacy_op_query_handshake_is_answered_with_op_reply()
    {
        var reply = await LegacyWireClient.QueryAsync(fixture.Server.EndPoint, "admin.$cmd", new BsonDocument { { "isMaster", 1 }, { "helloOk", true } });

        Assert.True(LegacyWireClient.IsReply(reply));
        Assert.Equal(4242, reply.ResponseTo);
        Assert.Equal(1, reply.NumberReturned);
        Assert.True(reply.Document["ismaster"].AsBoolean);
        Assert.True(reply.Document["helloOk"].AsBoolean);
    }

    [Fact]
    public async Task Op_query_refuses_anything_but_the_handshake_like_mongod_6()
    {
        var reply = await LegacyWireClient.QueryAsync(fixture.Server.EndPoint, "admin.$cmd", new BsonDocument("ping", 1));

        Assert.Equal(0.0, reply.Document["ok"].ToDouble());
        Assert.Equal(352, reply.Document["code"].ToInt32());
    }

    [Fact]
    public async Task BuildInfo_reports_the_configured_6_0_version()
    {
        var reply = await fixture.Admin.RunAsync("{ buildInfo: 1 }");

        Assert.Equal("6.0.20", reply["version"].AsString);
        Assert.Equal(new BsonArray { 6, 0, 20, 0 }, reply["versionArray"].AsBsonArray);
    }

    [Fact]
    public async Task EndSessions_is_accepted()
    {
        var session = new BsonDocument("id", new BsonBinaryData(Guid.NewGuid(), GuidRepresentation.Standard));
        var reply = await fixture.Admin.RunAsync(new BsonDocument("endSessions", new BsonArray { session }));

        Assert.Equal(1.0, reply["ok"].ToDouble());
    }

    [Fact]
    public async Task An_unknown_command_fails_with_CommandNotFound()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => fixture.Admin.RunAsync("{ frobnicate: 1 }"));

        Assert.Equal(59, error.Code);
        Assert.Equal("CommandNotFound", error.CodeName);
        Assert.Contains("no such command: 'frobnicate'", error.ErrorMessage, StringComparison.Ordinal);
    }
}

using System.Net.Sockets;
using ExcelMedical.DbRunbook.MongoWireTestServer.Commands;
using ExcelMedical.DbRunbook.MongoWireTestServer.Wire;
using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Hosting;

/// <summary>
/// One accepted socket: reads requests one at a time (drivers do not pipeline), executes
/// them and writes the reply, until the client hangs up or the server stops.
/// </summary>
internal sealed class ClientConnection(Socket socket, ConnectionInfo info, ServerState state, CommandDispatcher dispatcher) : IDisposable
{
    private static int lastResponseId;

    public ConnectionInfo Info => info;

    public async Task RunAsync(CancellationToken stopping)
    {
        state.Counters.ConnectionOpened();
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            while (!stopping.IsCancellationRequested)
            {
                var frame = await WireFrameReader.ReadAsync(stream, stopping);
                if (frame is null)
                {
                    break;
                }

                state.Counters.MessageReceived(frame.MessageLength);
                var response = await HandleAsync(frame, stopping);
                if (response is not null)
                {
                    await stream.WriteAsync(response, stopping);
                    state.Counters.MessageSent(response.Length);
                }
            }
        }
        catch (Exception ended) when (ended is IOException or SocketException or OperationCanceledException or ObjectDisposedException or WireProtocolException)
        {
            // The client went away, the server is stopping, or the bytes made no sense:
            // mongod closes the connection in all three cases, and so do we.
        }
        finally
        {
            state.Counters.ConnectionClosed();
        }
    }

    /// <summary>Closes the socket, which ends a pending read in <see cref="RunAsync"/>.</summary>
    public void Dispose()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        socket.Dispose();
    }

    private static int NextResponseId() => Interlocked.Increment(ref lastResponseId);

    private async Task<byte[]?> HandleAsync(WireFrame frame, CancellationToken stopping)
    {
        switch (frame.OpCode)
        {
            case WireOpCode.Msg:
                var request = OpMsgCodec.Parse(frame);
                var reply = request.Database is null
                    ? new MongoCommandError(40571, "OP_MSG requests require a $db argument").ToReply()
                    : await dispatcher.DispatchAsync(request.Command, request.Database, info, stopping);
                return request.ExpectsReply ? OpMsgCodec.Write(NextResponseId(), frame.RequestId, reply) : null;
            case WireOpCode.Query:
                return await HandleLegacyQueryAsync(frame, stopping);
            default:
                throw new WireProtocolException($"unsupported op code {(int)frame.OpCode}");
        }
    }

    /// <summary>Like mongod 6.0, OP_QUERY is only accepted for the connection handshake.</summary>
    private async Task<byte[]> HandleLegacyQueryAsync(WireFrame frame, CancellationToken stopping)
    {
        var request = OpQueryCodec.Parse(frame, out var fullCollectionName);
        if (request.Database is null)
        {
            var failure = new BsonDocument { { "$err", $"OP_QUERY is no longer supported for {fullCollectionName}" }, { "code", 5739101 } };
            return OpQueryCodec.Write(NextResponseId(), frame.RequestId, failure, OpQueryCodec.QueryFailure);
        }

        var name = request.Command.ElementCount > 0 ? request.Command.GetElement(0).Name : string.Empty;
        var reply = name is "isMaster" or "ismaster" or "hello"
            ? await dispatcher.DispatchAsync(request.Command, request.Database, info, stopping)
            : new MongoCommandError(352, $"Unsupported OP_QUERY command: {name}. The client driver may require an upgrade.").ToReply();
        return OpQueryCodec.Write(NextResponseId(), frame.RequestId, reply);
    }
}

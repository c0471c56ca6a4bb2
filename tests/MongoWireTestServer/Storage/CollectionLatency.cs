namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>Operation counts and total latency per kind, for $collStats latencyStats.</summary>
internal sealed class CollectionLatency
{
    private long reads;
    private long readMicros;
    private long writes;
    private long writeMicros;
    private long commands;
    private long commandMicros;

    public (long Ops, long Micros) Reads => (Interlocked.Read(ref reads), Interlocked.Read(ref readMicros));

    public (long Ops, long Micros) Writes => (Interlocked.Read(ref writes), Interlocked.Read(ref writeMicros));

    public (long Ops, long Micros) Commands => (Interlocked.Read(ref commands), Interlocked.Read(ref commandMicros));

    public void Record(OperationKind kind, long micros)
    {
        switch (kind)
        {
            case OperationKind.Read:
                Interlocked.Increment(ref reads);
                Interlocked.Add(ref readMicros, micros);
                break;
            case OperationKind.Write:
                Interlocked.Increment(ref writes);
                Interlocked.Add(ref writeMicros, micros);
                break;
            default:
                Interlocked.Increment(ref commands);
                Interlocked.Add(ref commandMicros, micros);
                break;
        }
    }
}

/// <summary>How latencyStats classifies an operation on a collection.</summary>
internal enum OperationKind
{
    Command,
    Read,
    Write,
}

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>A malformed or unsupported message: the connection is closed, as mongod does.</summary>
internal sealed class WireProtocolException : Exception
{
    public WireProtocolException()
    {
    }

    public WireProtocolException(string message)
        : base(message)
    {
    }

    public WireProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

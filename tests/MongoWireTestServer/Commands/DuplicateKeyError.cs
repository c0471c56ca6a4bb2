using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>E11000: carries the index key and value that 6.0 reports in a write error.</summary>
internal sealed class DuplicateKeyError : MongoCommandError
{
    public DuplicateKeyError(string collectionNamespace, string indexName, BsonDocument keyPattern, BsonDocument keyValue)
        : base(ErrorCodes.DuplicateKey, $"E11000 duplicate key error collection: {collectionNamespace} index: {indexName} dup key: {Describe(keyValue)}")
    {
        KeyPattern = keyPattern;
        KeyValue = keyValue;
    }

    public DuplicateKeyError()
        : base(ErrorCodes.DuplicateKey, "E11000 duplicate key error")
    {
        KeyPattern = [];
        KeyValue = [];
    }

    public DuplicateKeyError(string message)
        : base(ErrorCodes.DuplicateKey, message)
    {
        KeyPattern = [];
        KeyValue = [];
    }

    public DuplicateKeyError(string message, Exception innerException)
        : base(message, innerException)
    {
        KeyPattern = [];
        KeyValue = [];
    }

    public BsonDocument KeyPattern { get; }

    public BsonDocument KeyValue { get; }

    public override BsonDocument ToReply()
    {
        var reply = base.ToReply();
        reply["keyPattern"] = KeyPattern;
        reply["keyValue"] = KeyValue;
        return reply;
    }

    /// <summary>A write error entry for insert/update replies.</summary>
    public BsonDocument ToWriteError(int index) => new()
    {
        { "index", index },
        { "code", Code },
        { "keyPattern", KeyPattern },
        { "keyValue", KeyValue },
        { "errmsg", Message },
    };

    private static string Describe(BsonDocument keyValue) =>
        "{ " + string.Join(", ", keyValue.Select(e => $"{e.Name}: {e.Value.ToJson()}")) + " }";
}

using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>
/// A command failure reported to the client as {ok: 0, errmsg, code, codeName}; handlers
/// throw it anywhere and the dispatcher turns it into the reply.
/// </summary>
internal class MongoCommandError : Exception
{
    public MongoCommandError(int code, string message)
        : base(message)
    {
        Code = code;
    }

    public MongoCommandError()
        : this(ErrorCodes.InternalError, "internal error")
    {
    }

    public MongoCommandError(string message)
        : this(ErrorCodes.InternalError, message)
    {
    }

    public MongoCommandError(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ErrorCodes.InternalError;
    }

    public int Code { get; }

    public string CodeName => ErrorCodes.NameOf(Code);

    public static MongoCommandError NamespaceNotFound(string message) => new(ErrorCodes.NamespaceNotFound, message);

    public virtual BsonDocument ToReply() => new()
    {
        { "ok", 0.0 },
        { "errmsg", Message },
        { "code", Code },
        { "codeName", CodeName },
    };
}

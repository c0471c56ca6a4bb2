using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>Shared pieces of insert/update/delete: per-statement error entries and the ordered flag.</summary>
internal static class WriteReplies
{
    public static BsonDocument WriteError(int index, MongoCommandError error) => error is DuplicateKeyError duplicate
        ? duplicate.ToWriteError(index)
        : new BsonDocument { { "index", index }, { "code", error.Code }, { "codeName", error.CodeName }, { "errmsg", error.Message } };

    public static bool Ordered(BsonDocument command) => CommandArguments.Flag(command, "ordered", defaultValue: true);

    public static void AddWriteErrors(BsonDocument reply, BsonArray writeErrors)
    {
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }
    }
}

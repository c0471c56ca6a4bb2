using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Wire;

/// <summary>
/// A decoded command request, whichever op code carried it. Document sequences of OP_MSG
/// are already folded into <see cref="Command"/> as arrays, so handlers see one shape.
/// </summary>
internal sealed record WireRequest(int RequestId, WireOpCode OpCode, BsonDocument Command, string? Database, bool ExpectsReply);

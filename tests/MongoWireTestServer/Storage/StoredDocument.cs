using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Storage;

/// <summary>A document in a collection with its record id (insertion order) and BSON size.</summary>
internal sealed record StoredDocument(long RecordId, BsonDocument Document, int Size);

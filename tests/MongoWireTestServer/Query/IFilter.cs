using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>A parsed query filter: parsing validates operators once, matching is then cheap.</summary>
internal interface IFilter
{
    bool Matches(BsonDocument document);
}

/// <summary>The test a field-level operator applies to the values a path resolved to.</summary>
internal interface IValuePredicate
{
    /// <param name="candidates">Values the path reached; empty when the field is missing.</param>
    bool Matches(IReadOnlyList<BsonValue> candidates);
}

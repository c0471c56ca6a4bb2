using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Query;

/// <summary>Matches when every clause matches; an empty list matches everything ({}).</summary>
internal sealed class AndFilter(IReadOnlyList<IFilter> clauses) : IFilter
{
    public static AndFilter Everything { get; } = new([]);

    public bool Matches(BsonDocument document) => clauses.All(clause => clause.Matches(document));
}

/// <summary>$or.</summary>
internal sealed class OrFilter(IReadOnlyList<IFilter> clauses) : IFilter
{
    public bool Matches(BsonDocument document) => clauses.Any(clause => clause.Matches(document));
}

/// <summary>$nor.</summary>
internal sealed class NorFilter(IReadOnlyList<IFilter> clauses) : IFilter
{
    public bool Matches(BsonDocument document) => !clauses.Any(clause => clause.Matches(document));
}

/// <summary>Applies one operator to the values found at a dotted path.</summary>
internal sealed class FieldFilter(string path, IValuePredicate predicate) : IFilter
{
    public bool Matches(BsonDocument document) => predicate.Matches(FieldPath.Resolve(document, path));
}

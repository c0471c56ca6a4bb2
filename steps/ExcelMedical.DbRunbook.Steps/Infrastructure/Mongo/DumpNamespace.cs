using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;

/// <summary>
/// One namespace to dump, as listCollections describes it: a collection, a view (metadata only)
/// or a time-series collection (data read from its system.buckets collection, like mongodump).
/// </summary>
internal sealed record DumpNamespace(string Name, string Type, BsonDocument Options, string? Uuid)
{
    public bool IsView => Type == "view";

    public bool IsTimeseries => Type == "timeseries";

    /// <summary>Where the documents are read from and the name their .bson file is given.</summary>
    public string DataCollection => IsTimeseries ? MongoDumpLayout.BucketsPrefix + Name : Name;

    /// <summary>From one listCollections entry: {name, type, options, info: {uuid}}.</summary>
    public static DumpNamespace FromListing(BsonDocument entry)
    {
        var uuid = entry.GetValue("info", BsonNull.Value) is BsonDocument info && info.GetValue("uuid", BsonNull.Value) is BsonBinaryData binary
            ? Convert.ToHexStringLower(binary.Bytes)
            : null;
        return new DumpNamespace(
            entry["name"].AsString,
            entry.GetValue("type", "collection").AsString,
            entry.GetValue("options", BsonNull.Value) as BsonDocument ?? [],
            uuid);
    }

    /// <summary>
    /// The collection's .metadata.json as mongodump writes it: canonical Extended JSON with
    /// options (left out when empty), indexes (as listIndexes returns them; [] for views),
    /// uuid (32 hex digits, left out when unknown), collectionName and type.
    /// </summary>
    public string MetadataJson(IReadOnlyList<BsonDocument> indexes)
    {
        var metadata = new BsonDocument();
        if (Options.ElementCount > 0)
        {
            metadata["options"] = Options;
        }

        metadata["indexes"] = new BsonArray(indexes);
        if (Uuid is not null)
        {
            metadata["uuid"] = Uuid;
        }

        metadata["collectionName"] = Name;
        metadata["type"] = Type;
        return Compact(metadata.ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false }));
    }

    /// <summary>The driver writes <c>{ "a" : 1 }</c>; mongodump (Go) writes <c>{"a":1}</c>. Same JSON, same order, mongodump's spacing.</summary>
    private static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}

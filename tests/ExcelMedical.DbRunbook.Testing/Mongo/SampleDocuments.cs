using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Testing.Mongo;

/// <summary>
/// The staffing platform's MongoDB collections and their documents. Every value derives from the
/// document's index (no randomness), so the same scale and reference time always give the same data.
/// </summary>
internal static class SampleDocuments
{
    private static readonly string[] Roles = ["candidate", "candidate", "candidate", "recruiter", "admin"];
    private static readonly string[] Titles = ["Registered Nurse", "ICU Nurse", "Travel Nurse", "Physical Therapist", "Radiology Technician", "Medical Assistant"];
    private static readonly string[] JobStatuses = ["open", "filled", "closed"];
    private static readonly string[] ChatStatuses = ["open", "open", "open", "archived"];
    private static readonly string[] EventTypes = ["page_view", "search", "job_view", "apply"];

    public static SampleCollection Users { get; } = new(
        MongoSampleData.Users,
        PerScale: 100,
        History: TimeSpan.FromDays(730),
        [
            new(Keys.Ascending("email"), new CreateIndexOptions { Name = "email_1", Unique = true }),
            new(Keys.Ascending("created_at"), new CreateIndexOptions { Name = "created_at_1" }),
        ],
        (context, i) => new BsonDocument
        {
            { "_id", IdOf(Users!, context, i) },
            { "email", $"user{i + 1:D7}@excel-medical.test" },
            { "name", $"Sample User {i + 1}" },
            { "role", Roles[i % Roles.Length] },
            { "active", i % 10 != 0 },
            { "created_at", CreatedAt(Users!, context, i) },
        });

    public static SampleCollection Jobs { get; } = new(
        MongoSampleData.Jobs,
        PerScale: 40,
        History: TimeSpan.FromDays(365),
        [new(Keys.Ascending("status").Descending("created_at"), new CreateIndexOptions { Name = "status_1_created_at_-1" })],
        (context, i) => new BsonDocument
        {
            { "_id", IdOf(Jobs!, context, i) },
            { "title", Titles[i % Titles.Length] },
            { "facility_id", (int)(i % 25) + 1 },
            { "status", JobStatuses[i % JobStatuses.Length] },
            { "posted_by", UserId(context, i * 7) },
            { "created_at", CreatedAt(Jobs!, context, i) },
        });

    public static SampleCollection ChatConversations { get; } = new(
        MongoSampleData.ChatConversations,
        PerScale: 400,
        History: TimeSpan.FromDays(365),
        [
            new(Keys.Ascending("created_at"), new CreateIndexOptions { Name = "created_at_1" }),
            new(Keys.Ascending("user_id"), new CreateIndexOptions { Name = "user_id_1" }),
        ],
        (context, i) =>
        {
            var createdAt = CreatedAt(ChatConversations!, context, i).ToUniversalTime();
            return new BsonDocument
            {
                { "_id", IdOf(ChatConversations!, context, i) },
                { "user_id", UserId(context, i * 3) },
                { "status", ChatStatuses[i % ChatStatuses.Length] },
                { "message_count", (int)(i % 20) + 1 },
                // Under a second after creation: every created_at is at least a second old, so this stays in the past.
                { "last_message_at", new BsonDateTime(createdAt.AddMilliseconds(i % 1000)) },
                { "created_at", new BsonDateTime(createdAt) },
            };
        });

    public static SampleCollection AnalyticsEvents { get; } = new(
        MongoSampleData.AnalyticsEvents,
        PerScale: 1200,
        History: TimeSpan.FromDays(90),
        [
            new(Keys.Ascending("created_at"), new CreateIndexOptions { Name = "created_at_1" }),
            new(Keys.Ascending("type").Ascending("created_at"), new CreateIndexOptions { Name = "type_1_created_at_1" }),
        ],
        (context, i) => new BsonDocument
        {
            { "_id", IdOf(AnalyticsEvents!, context, i) },
            { "user_id", UserId(context, i) },
            { "type", EventTypes[i % EventTypes.Length] },
            { "path", $"/jobs/{(i % Jobs.CountAt(context.Scale)) + 1}" },
            { "created_at", CreatedAt(AnalyticsEvents!, context, i) },
        });

    public static IReadOnlyList<SampleCollection> All { get; } = [Users, Jobs, ChatConversations, AnalyticsEvents];

    private static IndexKeysDefinitionBuilder<BsonDocument> Keys => Builders<BsonDocument>.IndexKeys;

    private static BsonDateTime CreatedAt(SampleCollection collection, SampleContext context, long index) =>
        new(SampleTimeline.CreatedAt(index, collection.CountAt(context.Scale), collection.History, context.ReferenceTime).UtcDateTime);

    /// <summary>The _id of some user, picked deterministically from a number.</summary>
    private static ObjectId UserId(SampleContext context, long pick) => IdOf(Users, context, pick % Users.CountAt(context.Scale));

    /// <summary>
    /// An ObjectId shaped like a real one (creation time in its first four bytes, so _id order is
    /// creation order) whose other bytes are a tag of the collection name and the index, not chance.
    /// </summary>
    private static ObjectId IdOf(SampleCollection collection, SampleContext context, long index)
    {
        var created = SampleTimeline.CreatedAt(index, collection.CountAt(context.Scale), collection.History, context.ReferenceTime);
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)created.ToUnixTimeSeconds());
        bytes[4] = (byte)collection.Name.Length;
        bytes[5] = (byte)collection.Name[0];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), 0x5a17);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)index);
        return new ObjectId(bytes);
    }
}

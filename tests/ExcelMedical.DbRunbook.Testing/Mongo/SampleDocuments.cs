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
        (self, context, i) => new BsonDocument
        {
            { "_id", self.IdOf(context, i) },
            { "email", $"user{i + 1:D7}@excel-medical.test" },
            { "name", $"Sample User {i + 1}" },
            { "role", Roles[i % Roles.Length] },
            { "active", i % 10 != 0 },
            { "created_at", new BsonDateTime(self.CreatedAt(context, i)) },
        });

    public static SampleCollection Jobs { get; } = new(
        MongoSampleData.Jobs,
        PerScale: 40,
        History: TimeSpan.FromDays(365),
        [new(Keys.Ascending("status").Descending("created_at"), new CreateIndexOptions { Name = "status_1_created_at_-1" })],
        (self, context, i) => new BsonDocument
        {
            { "_id", self.IdOf(context, i) },
            { "title", Titles[i % Titles.Length] },
            { "facility_id", (int)(i % 25) + 1 },
            { "status", JobStatuses[i % JobStatuses.Length] },
            { "posted_by", UserId(context, i * 7) },
            { "created_at", new BsonDateTime(self.CreatedAt(context, i)) },
        });

    public static SampleCollection ChatConversations { get; } = new(
        MongoSampleData.ChatConversations,
        PerScale: 400,
        History: TimeSpan.FromDays(365),
        [
            new(Keys.Ascending("created_at"), new CreateIndexOptions { Name = "created_at_1" }),
            new(Keys.Ascending("user_id"), new CreateIndexOptions { Name = "user_id_1" }),
        ],
        (self, context, i) =>
        {
            var createdAt = self.CreatedAt(context, i);
            return new BsonDocument
            {
                { "_id", self.IdOf(context, i) },
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
        (self, context, i) => new BsonDocument
        {
            { "_id", self.IdOf(context, i) },
            { "user_id", UserId(context, i) },
            { "type", EventTypes[i % EventTypes.Length] },
            { "path", $"/jobs/{(i % Jobs.CountAt(context.Scale)) + 1}" },
            { "created_at", new BsonDateTime(self.CreatedAt(context, i)) },
        });

    public static IReadOnlyList<SampleCollection> All { get; } = [Users, Jobs, ChatConversations, AnalyticsEvents];

    private static IndexKeysDefinitionBuilder<BsonDocument> Keys => Builders<BsonDocument>.IndexKeys;

    /// <summary>The _id of some user, picked deterministically from a number.</summary>
    private static ObjectId UserId(SampleContext context, long pick) => Users.IdOf(context, pick % Users.CountAt(context.Scale));
}

using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Restore;

/// <summary>
/// mongo.restore against the MongoDB test endpoint (the in-process wire server, or the real mongod
/// named by RUNBOOK_TEST_MONGO_URI): archives made by mongo.dump, brought back with the driver.
/// </summary>
public sealed class MongoRestoreTests : IAsyncLifetime
{
    private const string ArchiveName = "mongo_20261124_020000.tar.gz";

    private static readonly DateTimeOffset ReferenceTime = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly List<string> _databases = [];
    private MongoEndpoint _endpoint = null!;
    private MongoClient _client = null!;
    private string _database = null!;

    private string Day => _dir["backups/2026-11-24"];

    private string ArchiveFile => Path.Combine(Day, ArchiveName);

    private IMongoDatabase Source => _client.GetDatabase(_database);

    public async Task InitializeAsync()
    {
        _endpoint = await MongoEndpoint.Shared;
        _client = _endpoint.CreateClient();
        _database = _endpoint.UniqueDatabaseName("mongo_restore");
        _databases.Add(_database);
        await MongoSampleData.SeedAsync(Source, scale: 1, ReferenceTime);
        await Source.CreateCollectionAsync("empty_one");
        await Source.GetCollection<BsonDocument>("audit log/2026").InsertOneAsync(new BsonDocument { { "_id", 1 }, { "what", "login" } });
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _databases)
        {
            await _endpoint.DropDatabaseAsync(name);
        }

        _client.Dispose();
        _dir.Dispose();
    }

    private string NewTarget(string prefix = "restored")
    {
        var name = _endpoint.UniqueDatabaseName(prefix);
        _databases.Add(name);
        return name;
    }

    private RunbookCliHarness Cli() => new(_dir["state"], new Dictionary<string, string>
    {
        ["ROOT"] = _dir["backups"],
        ["MONGO_URI"] = new MongoUrlBuilder(_endpoint.ConnectionString) { DatabaseName = _database }.ToString(),
    });

    private async Task BackUpAsync()
    {
        var playbook = _dir.Write("mongobackup.yaml", $$$"""
            name: mongobackup
            connections:
              mongo:
                uri: "{{ env.MONGO_URI }}"
            steps:
              - id: mongo_dump
                uses: mongo.dump
                with:
                  file: "{{{ArchiveFile}}}"
              - id: mongo_verify
                uses: archive.verify
                with:
                  file: "{{ steps.mongo_dump.outputs.file }}"
                  dump_step: mongo_dump
            """);
        var result = await Cli().RunAsync("run", playbook);
        Assert.True(result.ExitCode == 0, result.All);
    }

    private async Task<CliResult> RestoreAsync(string with)
    {
        var playbook = _dir.Write("mongorestore.yaml", $$$"""
            name: mongorestore
            connections:
              mongo:
                uri: "{{ env.MONGO_URI }}"
            steps:
              - id: restore
                uses: mongo.restore
                with:
            {{{with}}}
            """);
        return await Cli().RunAsync("run", playbook);
    }

    private async Task<bool> DatabaseExistsAsync(string name) =>
        (await (await _client.ListDatabaseNamesAsync()).ToListAsync()).Contains(name);

    /// <summary>Every collection of two databases: names, options, indexes and every document byte for byte.</summary>
    private async Task AssertIdenticalAsync(string restored)
    {
        var target = _client.GetDatabase(restored);
        var sourceCollections = await CollectionsAsync(Source);
        var restoredCollections = await CollectionsAsync(target);
        Assert.Equal(sourceCollections.Keys.Order(StringComparer.Ordinal), restoredCollections.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, options) in sourceCollections)
        {
            Assert.Equal(options, restoredCollections[name]);
            Assert.Equal(await IndexesAsync(Source, name), await IndexesAsync(target, name));
            var expected = await DocumentsAsync(Source, name);
            var actual = await DocumentsAsync(target, name);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].ToBson(), actual[i].ToBson());
            }
        }
    }

    private static async Task<Dictionary<string, BsonDocument>> CollectionsAsync(IMongoDatabase database) =>
        (await (await database.ListCollectionsAsync()).ToListAsync())
            .Where(c => !c["name"].AsString.StartsWith("system.", StringComparison.Ordinal))
            .ToDictionary(c => c["name"].AsString, c => c.GetValue("options", new BsonDocument()).AsBsonDocument);

    private static async Task<List<BsonDocument>> IndexesAsync(IMongoDatabase database, string collection)
    {
        var indexes = await (await database.GetCollection<BsonDocument>(collection).Indexes.ListAsync()).ToListAsync();
        foreach (var index in indexes)
        {
            index.Remove("ns");
        }

        return [.. indexes.OrderBy(index => index["name"].AsString, StringComparer.Ordinal)];
    }

    private static Task<List<BsonDocument>> DocumentsAsync(IMongoDatabase database, string collection) =>
        database.GetCollection<BsonDocument>(collection).Find(FilterDefinition<BsonDocument>.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync();

    [Fact]
    public async Task A_dump_restores_into_a_new_database_with_identical_documents_indexes_and_options()
    {
        await BackUpAsync();
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  folder: "{Day}"
                  database: {target}
                  batch_size: 100
            """);

        Assert.True(result.ExitCode == 0, result.All);
        await AssertIdenticalAsync(target);
        var outputs = RunRecords.Latest(_dir["state"], "mongorestore").Step("restore").GetProperty("outputs");
        Assert.Equal(ArchiveFile, outputs.GetProperty("file").GetString());
        Assert.Equal(target, outputs.GetProperty("database").GetString());
        Assert.Equal(_database, outputs.GetProperty("source_database").GetString());
        Assert.Equal(MongoSampleData.Collections.Count + 2, outputs.GetProperty("collections").GetInt32());
        Assert.Equal(0, outputs.GetProperty("collection_counts").GetProperty("empty_one").GetInt64());
        Assert.Contains("users: 2 index(es) built: email_1, created_at_1", result.All);
    }

    [Theory]
    [InlineData("flipped byte")]
    [InlineData("truncated")]
    public async Task A_corrupted_archive_is_refused_before_anything_is_written(string damage)
    {
        await BackUpAsync();
        var bytes = await File.ReadAllBytesAsync(ArchiveFile);
        if (damage == "truncated")
        {
            bytes = bytes[..(bytes.Length - 100)];
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x01;
        }

        var broken = _dir.Write("broken/" + ArchiveName, string.Empty);
        await File.WriteAllBytesAsync(broken, bytes);
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  file: "{broken}"
                  database: {target}
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"refusing to restore {broken}: it failed verification", result.All);
        Assert.Contains($"nothing was written to {target}", result.All);
        Assert.False(await DatabaseExistsAsync(target), "the target database was written to for a corrupt archive");
    }

    [Fact]
    public async Task Restoring_into_the_production_database_is_refused_without_the_confirmation_option()
    {
        await BackUpAsync();
        var before = await DocumentsAsync(Source, MongoSampleData.Users);

        var result = await RestoreAsync($"""
                  folder: "{Day}"
                  database: {_database}
                  drop: true
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"refusing to restore into {_database}: it is the database of connection 'mongo'", result.All);
        Assert.Contains("confirm_overwrite_production: true", result.All);
        Assert.Equal(before, await DocumentsAsync(Source, MongoSampleData.Users));
    }

    [Fact]
    public async Task A_target_collection_with_documents_is_refused_without_drop_and_replaced_with_drop()
    {
        await BackUpAsync();
        var target = NewTarget();
        Assert.Equal(0, (await RestoreAsync($"""
                  folder: "{Day}"
                  database: {target}
            """)).ExitCode);
        await _client.GetDatabase(target).GetCollection<BsonDocument>(MongoSampleData.Jobs).InsertOneAsync(new BsonDocument("stray", true));

        var refused = await RestoreAsync($"""
                  folder: "{Day}"
                  database: {target}
            """);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"refusing to restore into {target}", refused.All);
        Assert.Contains("set drop: true", refused.All);

        var replaced = await RestoreAsync($"""
                  folder: "{Day}"
                  database: {target}
                  drop: true
            """);
        Assert.True(replaced.ExitCode == 0, replaced.All);
        await AssertIdenticalAsync(target);
    }

    [Fact]
    public async Task A_mongodump_folder_packed_with_gnu_tar_is_restored_too()
    {
        await BackUpAsync();
        var extracted = _dir["extracted"];
        Directory.CreateDirectory(extracted);
        Assert.Equal(0, (await Shell.RunAsync($"tar -xzf {ArchiveFile} -C {extracted}")).ExitCode);
        // mongodump --out dump writes dump/<db>/...; an operator packs that folder with tar.
        Directory.Move(Path.Combine(extracted, "mongo_20261124_020000"), Path.Combine(extracted, "dump"));
        var packed = _dir["other/dump.tar.gz"];
        Directory.CreateDirectory(Path.GetDirectoryName(packed)!);
        var tar = await Shell.RunAsync($"tar --format=gnu -czf {packed} -C {extracted} dump");
        Assert.True(tar.ExitCode == 0, tar.Error);
        var target = NewTarget();

        var result = await RestoreAsync($"""
                  file: "{packed}"
                  database: {target}
                  source_database: {_database}
            """);

        Assert.True(result.ExitCode == 0, result.All);
        await AssertIdenticalAsync(target);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ExcelMedical.DbRunbook.Testing.Mongo;
using ExcelMedical.DbRunbook.Tests.Support;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace ExcelMedical.DbRunbook.Tests.Backup;

/// <summary>
/// mongo.dump and archive.verify against the MongoDB test endpoint (the in-process wire server, or
/// the real mongod named by RUNBOOK_TEST_MONGO_URI), with the staffing platform's sample data.
/// </summary>
public sealed class MongoBackupTests : IAsyncLifetime
{
    private const string Stamp = "20261125_020000";
    private const string ArchiveName = $"mongo_{Stamp}.tar.gz";
    private const string TopFolder = $"mongo_{Stamp}";
    private const string Password = "Pa55-never-in-logs";

    private static readonly DateTimeOffset ReferenceTime = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private MongoEndpoint _endpoint = null!;
    private MongoClient _client = null!;
    private string _database = null!;
    private IReadOnlyDictionary<string, long> _seeded = null!;

    private string Day => _dir["backups/2026-11-25"];

    private string ArchiveFile => Path.Combine(Day, ArchiveName);

    private IMongoDatabase Database => _client.GetDatabase(_database);

    public async Task InitializeAsync()
    {
        _endpoint = await MongoEndpoint.Shared;
        _client = _endpoint.CreateClient();
        _database = _endpoint.UniqueDatabaseName("mongo_backup");
        _seeded = await MongoSampleData.SeedAsync(Database, scale: 1, ReferenceTime);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DropDatabaseAsync(_database);
        _client.Dispose();
        _dir.Dispose();
    }

    private string MongoUri => new MongoUrlBuilder(_endpoint.ConnectionString) { DatabaseName = _database }.ToString();

    private RunbookCliHarness Cli(string? mongoUri = null) => new(_dir["state"], new Dictionary<string, string>
    {
        ["ROOT"] = _dir["backups"],
        ["MONGO_URI"] = mongoUri ?? MongoUri,
    });

    private string Playbook(string dumpOptions = "", bool verify = true, string stepKeys = "") => _dir.Write("mongobackup.yaml", $$$"""
        name: mongobackup
        vars:
          day: "{{ env.ROOT }}/2026-11-25"
        connections:
          mongo:
            uri: "{{ env.MONGO_URI }}"
        steps:
          - id: mongo_dump
            uses: mongo.dump
        {{{stepKeys}}}
            with:
              connection: mongo
              file: "{{ vars.day }}/{{{ArchiveName}}}"
        {{{dumpOptions}}}
        {{{(verify ? VerifyStep : string.Empty)}}}
        """);

    private const string VerifyStep = """
          - id: mongo_verify
            uses: archive.verify
            with:
              file: "{{ steps.mongo_dump.outputs.file }}"
              dump_step: mongo_dump
              report: "{{ vars.day }}/verification/mongo_backup_verify.txt"
        """;

    private string VerifyOnlyPlaybook(string file) => _dir.Write("verify.yaml", $$$"""
        name: verifyonly
        steps:
          - id: verify
            uses: archive.verify
            with:
              file: "{{{file}}}"
              report: "{{{_dir["verify-report.txt"]}}}"
        """);

    private async Task<CliResult> BackUpAsync(string dumpOptions = "", bool verify = true)
    {
        var result = await Cli().RunAsync("run", Playbook(dumpOptions, verify));
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }

    private async Task<string> ExtractAsync(string archive)
    {
        var folder = _dir["extracted"];
        Directory.CreateDirectory(folder);
        var tar = await Shell.RunAsync($"tar -xzf {archive} -C {folder}");
        Assert.True(tar.ExitCode == 0, tar.Error);
        return folder;
    }

    [Fact]
    public async Task The_guides_tar_command_extracts_every_collection_in_mongodumps_layout()
    {
        await BackUpAsync();

        var guideCheck = await Shell.RunAsync($"tar -tzf {ArchiveFile} > /dev/null");
        Assert.True(guideCheck.ExitCode == 0, guideCheck.Error);
        var extracted = await ExtractAsync(ArchiveFile);

        Assert.Equal([TopFolder], Directory.GetFileSystemEntries(extracted).Select(Path.GetFileName));
        Assert.Equal([_database], Directory.GetFileSystemEntries(Path.Combine(extracted, TopFolder)).Select(Path.GetFileName));
        var expected = MongoSampleData.Collections
            .SelectMany(collection => new[] { collection + ".bson", collection + ".metadata.json" })
            .Order(StringComparer.Ordinal);
        var files = Directory.GetFiles(Path.Combine(extracted, TopFolder, _database)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, files);
    }

    [Fact]
    public async Task Every_document_in_the_bson_files_is_byte_for_byte_the_source_document()
    {
        await BackUpAsync(verify: false);
        var folder = Path.Combine(await ExtractAsync(ArchiveFile), TopFolder, _database);

        foreach (var collection in MongoSampleData.Collections)
        {
            var source = await Database.GetCollection<BsonDocument>(collection)
                .Find(FilterDefinition<BsonDocument>.Empty)
                .Sort(Builders<BsonDocument>.Sort.Ascending("_id"))
                .ToListAsync();
            var dumped = ReadBsonFile(Path.Combine(folder, collection + ".bson")).OrderBy(document => document["_id"]).ToList();

            Assert.Equal(_seeded[collection], source.Count);
            Assert.Equal(source.Count, dumped.Count);
            for (var i = 0; i < source.Count; i++)
            {
                Assert.Equal(source[i].ToBson(), dumped[i].ToBson());
            }
        }
    }

    [Fact]
    public async Task The_metadata_files_carry_every_index_the_uuid_and_the_collection_name_in_canonical_extended_json()
    {
        await BackUpAsync(verify: false);
        var folder = Path.Combine(await ExtractAsync(ArchiveFile), TopFolder, _database);
        var listed = (await (await Database.ListCollectionsAsync()).ToListAsync()).ToDictionary(c => c["name"].AsString);

        foreach (var collection in MongoSampleData.Collections)
        {
            var json = await File.ReadAllTextAsync(Path.Combine(folder, collection + ".metadata.json"));
            var metadata = BsonDocument.Parse(json);
            Assert.StartsWith("{\"indexes\":[", json);
            Assert.Contains("{\"$numberInt\":\"1\"}", json);
            Assert.Equal(["indexes", "uuid", "collectionName", "type"], metadata.Names);
            Assert.Equal(collection, metadata["collectionName"].AsString);
            Assert.Equal("collection", metadata["type"].AsString);
            Assert.Equal(Convert.ToHexStringLower(listed[collection]["info"]["uuid"].AsBsonBinaryData.Bytes), metadata["uuid"].AsString);

            var indexes = await (await Database.GetCollection<BsonDocument>(collection).Indexes.ListAsync()).ToListAsync();
            Assert.Equal(indexes, metadata["indexes"].AsBsonArray.Select(index => index.AsBsonDocument));
            Assert.Contains(metadata["indexes"].AsBsonArray, index => index["name"] == "_id_");
        }

        var users = BsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "users.metadata.json")));
        var email = users["indexes"].AsBsonArray.Select(index => index.AsBsonDocument).Single(index => index["name"] == "email_1");
        Assert.True(email["unique"].ToBoolean());
        Assert.Equal(new BsonDocument("email", 1), email["key"].AsBsonDocument);
    }

    [Fact]
    public async Task The_run_record_counts_every_document_and_verification_agrees_with_the_dump()
    {
        await BackUpAsync();

        var record = RunRecords.Latest(_dir["state"], "mongobackup");
        var dump = record.Step("mongo_dump").GetProperty("outputs");
        var verify = record.Step("mongo_verify").GetProperty("outputs");
        Assert.Equal(ArchiveFile, dump.GetProperty("file").GetString());
        Assert.Equal(new FileInfo(ArchiveFile).Length, dump.GetProperty("size_bytes").GetInt64());
        Assert.Equal(MongoSampleData.Collections.Count, dump.GetProperty("collections").GetInt32());
        Assert.Equal(_seeded.Values.Sum(), dump.GetProperty("documents").GetInt64());
        Assert.Equal(_database, dump.GetProperty("database").GetString());
        foreach (var (collection, documents) in _seeded)
        {
            Assert.Equal(documents, dump.GetProperty("collection_counts").GetProperty(collection).GetInt64());
            Assert.Equal(documents, verify.GetProperty("collection_counts").GetProperty(collection).GetInt64());
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(ArchiveFile)));
        Assert.Equal(sha256, dump.GetProperty("sha256").GetString());
        Assert.Equal(sha256, verify.GetProperty("sha256").GetString());
        Assert.True(verify.GetProperty("verified").GetBoolean());
        Assert.Equal(_seeded.Values.Sum(), verify.GetProperty("documents").GetInt64());
        Assert.Equal(2 + (2 * MongoSampleData.Collections.Count), verify.GetProperty("entries").GetInt32());

        var report = await File.ReadAllTextAsync(Path.Combine(Day, "verification/mongo_backup_verify.txt"));
        Assert.Contains("Result:              OK", report);
        Assert.Contains($"Top folder:          {TopFolder}", report);
        Assert.Contains($"Collections:         4 ({_seeded.Values.Sum()} documents", report);
        Assert.Matches(@"users\s+100\s+100", report);
        Assert.Matches(@"analytics_events\s+1200\s+1200", report);
    }

    [Fact]
    public async Task The_archive_is_owner_only_and_no_temporary_file_is_left_behind()
    {
        await BackUpAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ArchiveFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Day));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Day, "verification/mongo_backup_verify.txt")));
        Assert.Equal([ArchiveName], Directory.GetFiles(Day).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("half")]
    [InlineData("gzip trailer")]
    [InlineData("last byte")]
    public async Task A_truncated_archive_fails_verification(string cut)
    {
        await BackUpAsync(verify: false);
        var bytes = await File.ReadAllBytesAsync(ArchiveFile);
        var truncated = _dir["truncated.tar.gz"];
        await File.WriteAllBytesAsync(truncated, cut switch
        {
            "half" => bytes[..(bytes.Length / 2)],
            "gzip trailer" => bytes[..^8],
            _ => bytes[..^1],
        });

        var result = await Cli().RunAsync("run", VerifyOnlyPlaybook(truncated));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed verification", result.All);
        Assert.Contains("truncated", result.All);
        Assert.Contains("Result:              FAILED", await File.ReadAllTextAsync(_dir["verify-report.txt"]));
    }

    [Fact]
    public async Task An_archive_with_one_flipped_byte_fails_verification()
    {
        await BackUpAsync(verify: false);
        var bytes = await File.ReadAllBytesAsync(ArchiveFile);
        bytes[bytes.Length * 2 / 3] ^= 0x01;
        var flipped = _dir["flipped.tar.gz"];
        await File.WriteAllBytesAsync(flipped, bytes);

        var result = await Cli().RunAsync("run", VerifyOnlyPlaybook(flipped));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed verification", result.All);
        Assert.Contains("Result:              FAILED", await File.ReadAllTextAsync(_dir["verify-report.txt"]));
    }

    [Fact]
    public async Task A_bson_file_cut_inside_a_document_fails_verification_even_in_a_sound_tar_gz()
    {
        await BackUpAsync(verify: false);
        var extracted = await ExtractAsync(ArchiveFile);
        var users = Path.Combine(extracted, TopFolder, _database, "users.bson");
        await using (var file = new FileStream(users, FileMode.Open))
        {
            file.SetLength(file.Length - 10);
        }

        var repacked = _dir["repacked.tar.gz"];
        var tar = await Shell.RunAsync($"tar -czf {repacked} -C {extracted} {TopFolder}");
        Assert.True(tar.ExitCode == 0, tar.Error);

        var result = await Cli().RunAsync("run", VerifyOnlyPlaybook(repacked));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("users.bson: document 100 at offset", result.All);
        Assert.Contains("is cut short", result.All);
    }

    [Fact]
    public async Task Verification_fails_when_the_archive_does_not_hold_what_the_dump_step_dumped()
    {
        await BackUpAsync(verify: false);
        var earlier = _dir["earlier.tar.gz"];
        File.Copy(ArchiveFile, earlier);
        var playbook = _dir.Write("mismatch.yaml", $$$"""
            name: mismatch
            connections:
              mongo:
                uri: "{{ env.MONGO_URI }}"
            steps:
              - id: mongo_dump
                uses: mongo.dump
                with:
                  file: "{{ env.ROOT }}/other/{{{ArchiveName}}}"
                  exclude_collections: [analytics_events]
              - id: mongo_verify
                uses: archive.verify
                with:
                  file: "{{{earlier}}}"
                  dump_step: mongo_dump
            """);

        var result = await Cli().RunAsync("run", playbook);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("collection analytics_events is in the archive but step 'mongo_dump' did not dump it", result.All);
        Assert.Contains("it changed after it was written", result.All);
    }

    [Fact]
    public async Task Collections_can_be_chosen_and_excluded()
    {
        await BackUpAsync("""
                  exclude_collections: [analytics_events, chat_conversations]
            """);

        var outputs = RunRecords.Latest(_dir["state"], "mongobackup").Step("mongo_dump").GetProperty("outputs");
        Assert.Equal(2, outputs.GetProperty("collections").GetInt32());
        Assert.Equal(_seeded["users"] + _seeded["jobs"], outputs.GetProperty("documents").GetInt64());
        var files = Directory.GetFiles(Path.Combine(await ExtractAsync(ArchiveFile), TopFolder, _database)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["jobs.bson", "jobs.metadata.json", "users.bson", "users.metadata.json"], files);

        var missing = await Cli().RunAsync("run", Playbook("""
                  collections: [users, resumes]
            """, verify: false));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("has no collection resumes", missing.All);
    }

    [Fact]
    public async Task Empty_collections_and_names_needing_escapes_are_dumped_as_mongodump_names_them()
    {
        await Database.CreateCollectionAsync("empty_one");
        await Database.GetCollection<BsonDocument>("audit log/2026").InsertOneAsync(new BsonDocument { { "_id", 1 }, { "what", "login" } });

        await BackUpAsync();

        var folder = Path.Combine(await ExtractAsync(ArchiveFile), TopFolder, _database);
        Assert.Equal(0, new FileInfo(Path.Combine(folder, "empty_one.bson")).Length);
        Assert.Single(ReadBsonFile(Path.Combine(folder, "audit+log%2F2026.bson")));
        Assert.Equal("audit log/2026", BsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "audit+log%2F2026.metadata.json")))["collectionName"].AsString);
        var verify = RunRecords.Latest(_dir["state"], "mongobackup").Step("mongo_verify").GetProperty("outputs");
        Assert.Equal(0, verify.GetProperty("collection_counts").GetProperty("empty_one").GetInt64());
        Assert.Equal(1, verify.GetProperty("collection_counts").GetProperty("audit log/2026").GetInt64());
    }

    [Fact]
    public async Task An_unreachable_server_fails_fast_with_a_clear_message_and_never_shows_the_password()
    {
        var port = ClosedPort();
        var uri = $"mongodb://backup:{Password}@127.0.0.1:{port}/excel_medical";
        var clock = Stopwatch.StartNew();

        var result = await Cli(uri).RunAsync("run", Playbook("""
                  server_selection_timeout: 2s
            """));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot connect to MongoDB mongodb://backup@127.0.0.1:{port}/excel_medical", result.All);
        Assert.Contains("no server answered within 2 s", result.All);
        Assert.DoesNotContain(Password, result.All);
        Assert.DoesNotContain(Password, RunRecords.LatestText(_dir["state"], "mongobackup"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.False(Directory.Exists(Day) && Directory.GetFiles(Day).Length > 0);
    }

    [Fact]
    public async Task A_dry_run_reads_the_server_to_describe_the_dump_and_writes_nothing()
    {
        var result = await Cli().RunAsync("run", Playbook(), "--dry-run");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"dump database {_database} of ", result.All);
        Assert.Contains($"({MongoSampleData.Collections.Count} collection(s) and view(s) now)", result.All);
        Assert.Contains($"{TopFolder}/{_database}/<collection>.bson", result.All);
        Assert.False(Directory.Exists(_dir["backups"]));
    }

    [Fact]
    public async Task A_dry_run_that_cannot_reach_the_server_says_so_and_exits_1_writing_nothing()
    {
        var uri = $"mongodb://backup:{Password}@127.0.0.1:{ClosedPort()}/excel_medical";

        var result = await Cli(uri).RunAsync("run", Playbook(dumpOptions: "      server_selection_timeout: 2s"), "--dry-run");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Dry run failed: the dry run is incomplete: step 'mongo_dump' (mongo.dump) could not be planned: cannot connect to MongoDB mongodb://backup@127.0.0.1:", result.All);
        Assert.DoesNotContain(Password, result.All);
        Assert.False(Directory.Exists(_dir["backups"]));
    }

    [Fact]
    public async Task A_dump_stopped_midway_by_its_timeout_leaves_no_file_behind()
    {
        var server = new MongoUrl(_endpoint.ConnectionString).Server;
        var address = (await Dns.GetHostAddressesAsync(server.Host))[0];
        await using var proxy = new StallingProxy(new IPEndPoint(address, server.Port), stallAfterBytes: 60_000);
        var uri = new MongoUrlBuilder(_endpoint.ConnectionString)
        {
            Server = new MongoServerAddress("127.0.0.1", proxy.Port),
            DirectConnection = true,
            DatabaseName = _database,
        }.ToString();
        var playbook = Playbook(verify: false, stepKeys: "    timeout: 3s");
        var clock = Stopwatch.StartNew();

        var result = await Cli(uri).RunAsync("run", playbook);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("timed_out", RunRecords.Latest(_dir["state"], "mongobackup").Step("mongo_dump").Status());
        Assert.True(proxy.Stalled, "the proxy never stalled: the dump finished before the timeout");
        Assert.Empty(Directory.GetFiles(Day));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    private static List<BsonDocument> ReadBsonFile(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BsonBinaryReader(stream);
        var documents = new List<BsonDocument>();
        while (!reader.IsAtEndOfFile())
        {
            documents.Add(BsonSerializer.Deserialize<BsonDocument>(reader));
        }

        return documents;
    }

    /// <summary>
    /// A TCP proxy to the MongoDB server that stops passing the server's replies on a connection
    /// once it has passed <c>stallAfterBytes</c>, holding the connection open: a dump through it
    /// hangs in the middle of a collection, as with a server that stops answering.
    /// </summary>
    private sealed class StallingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly IPEndPoint _target;
        private readonly long _stallAfterBytes;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _connections = [];
        private readonly Task _accepting;
        private int _stalled;

        public StallingProxy(IPEndPoint target, long stallAfterBytes)
        {
            _target = target;
            _stallAfterBytes = stallAfterBytes;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public bool Stalled => Volatile.Read(ref _stalled) == 1;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_connections)
            {
                _connections.ForEach(connection => connection.Dispose());
            }

            await _accepting;
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var outbound = new TcpClient();
                    lock (_connections)
                    {
                        _connections.Add(inbound);
                        _connections.Add(outbound);
                    }

                    await outbound.ConnectAsync(_target, _stop.Token);
                    _ = PumpAsync(inbound.GetStream(), outbound.GetStream(), long.MaxValue);
                    _ = PumpAsync(outbound.GetStream(), inbound.GetStream(), _stallAfterBytes);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task PumpAsync(Stream from, Stream to, long limit)
        {
            var buffer = new byte[8192];
            long passed = 0;
            try
            {
                int read;
                while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    if (passed + read > limit)
                    {
                        Volatile.Write(ref _stalled, 1);
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    passed += read;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    /// <summary>A loopback port nothing listens on: bound by the OS, then released.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

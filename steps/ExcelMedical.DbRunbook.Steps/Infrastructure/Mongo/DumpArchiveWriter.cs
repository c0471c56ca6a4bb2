using System.Formats.Tar;
using System.Text;
using ExcelMedical.DbRunbook.Engine.IO;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Compression;
using ExcelMedical.DbRunbook.Steps.Infrastructure.Files;

namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Mongo;

/// <summary>
/// Writes a mongodump folder as a PAX tar through <see cref="ParallelGzipStream"/> into the
/// temporary file of an <see cref="AtomicOutput"/>. A tar entry states its size before its data,
/// so each collection is first streamed into one spool file next to the output (owner-only,
/// deleted when closed, reused for every collection): memory stays bounded by the batch size
/// whatever the collection's size, and the extra disk needed is the largest collection's BSON.
/// </summary>
internal sealed class DumpArchiveWriter : IAsyncDisposable
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly FileStream _file;
    private readonly ParallelGzipStream _gzip;
    private readonly TarWriter _tar;
    private readonly FileStream _spool;
    private readonly DateTimeOffset _modified;
    private bool _completed;

    public DumpArchiveWriter(AtomicOutput output, int compressionLevel, DateTimeOffset modified)
    {
        _modified = modified;
        SpoolPath = output.TemporaryPath + ".spool";
        _file = output.OpenFile();
        _gzip = new ParallelGzipStream(_file, compressionLevel);
        _tar = new TarWriter(_gzip, TarEntryFormat.Pax, leaveOpen: true);
        var spoolOptions = new FileStreamOptions
        {
            Mode = System.IO.FileMode.Create,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 1 << 20,
            Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            spoolOptions.UnixCreateMode = SecureFiles.FileMode;
        }

        _spool = new FileStream(SpoolPath, spoolOptions);
    }

    public string SpoolPath { get; }

    public long CompressedBytes => _gzip.CompressedBytes;

    public long UncompressedBytes => _gzip.UncompressedBytes;

    public string Sha256 => _gzip.Sha256;

    public Task AddFolderAsync(string path, CancellationToken cancellationToken) =>
        _tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, path.TrimEnd('/') + "/") { Mode = FolderMode, ModificationTime = _modified }, cancellationToken);

    public async Task AddTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await _tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = FileMode, ModificationTime = _modified, DataStream = data }, cancellationToken);
    }

    /// <summary>The empty spool, to be filled with one file's data and then added with <see cref="AddSpoolAsync"/>.</summary>
    public Stream BeginSpool()
    {
        _spool.SetLength(0);
        _spool.Position = 0;
        return _spool;
    }

    public async Task AddSpoolAsync(string path, CancellationToken cancellationToken)
    {
        await _spool.FlushAsync(cancellationToken);
        _spool.Position = 0;
        await _tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = FileMode, ModificationTime = _modified, DataStream = _spool }, cancellationToken);
        _spool.SetLength(0);
    }

    /// <summary>Ends the tar (its two zero blocks), finishes the gzip and flushes the file to disk.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _tar.DisposeAsync();
        await _gzip.CompleteAsync(cancellationToken);
        _file.Flush(flushToDisk: true);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            await _tar.DisposeAsync();
        }

        // Not completed: the tar's end blocks are not written; the abandoned gzip stops its writer.
        await _gzip.DisposeAsync();
        await _file.DisposeAsync();
        await _spool.DisposeAsync();
    }
}

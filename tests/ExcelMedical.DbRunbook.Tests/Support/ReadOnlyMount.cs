namespace ExcelMedical.DbRunbook.Tests.Support;

/// <summary>A read-only tmpfs mounted on a folder for the life of a test; unmounted on dispose.</summary>
public sealed class ReadOnlyMount : IAsyncDisposable
{
    private ReadOnlyMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts an empty read-only tmpfs on <paramref name="path"/> (created if missing).</summary>
    public static async Task<ReadOnlyMount> CreateAsync(string path)
    {
        Directory.CreateDirectory(path);
        var mounted = await Shell.RunAsync($"mount -t tmpfs -o ro,size=64k tmpfs '{path}'");
        Assert.True(mounted.ExitCode == 0, $"mounting a read-only tmpfs on {path} failed: {mounted.Error}");
        return new ReadOnlyMount(path);
    }

    public async ValueTask DisposeAsync() => await Shell.RunAsync($"umount '{Path}'");
}

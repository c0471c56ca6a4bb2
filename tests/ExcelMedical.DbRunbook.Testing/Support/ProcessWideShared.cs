namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>
/// One instance of a fixture for the whole test process: started on first use, shared by every
/// test class, and disposed when the process exits. A failed start is remembered, so every test
/// that asks for it fails fast with the same error instead of retrying a slow start.
/// </summary>
public sealed class ProcessWideShared<T>
    where T : IAsyncDisposable
{
    private readonly Lazy<Task<T>> _instance;

    public ProcessWideShared(Func<Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        _instance = new Lazy<Task<T>>(() => StartAndRegisterAsync(start), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Task<T> Value => _instance.Value;

    private static async Task<T> StartAndRegisterAsync(Func<Task<T>> start)
    {
        var instance = await start();
        // ProcessExit runs synchronously at the end of the test host; block on the async dispose there.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => instance.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return instance;
    }
}

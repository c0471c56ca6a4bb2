namespace ExcelMedical.DbRunbook.Testing.Support;

/// <summary>
/// What a fake server received, in arrival order, written by the server's threads and read by
/// tests. Waiting is event driven, so a test continues the moment the awaited item arrives.
/// </summary>
public sealed class ArrivalLog<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _nextArrival = NewSignal();

    /// <summary>A copy of everything received so far, oldest first.</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _items.Add(item);
            arrived = _nextArrival;
            _nextArrival = NewSignal();
        }

        // Outside the lock: continuations must not run while the server thread holds it.
        arrived.TrySetResult();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    /// <summary>
    /// The first item (already received or still to come) that <paramref name="match"/> accepts (any item when null).
    /// Throws <see cref="TimeoutException"/> with <paramref name="describe"/>'s account of what did arrive.
    /// </summary>
    public async Task<T> WaitForAsync(
        Func<T, bool>? match, TimeSpan timeout, Func<IReadOnlyList<T>, string> describe, CancellationToken cancellationToken = default)
    {
        var accepts = match ?? (_ => true);
        var received = await WaitUntilAsync(items => items.Any(accepts), timeout, describe, cancellationToken);
        return received.First(accepts);
    }

    /// <summary>Everything received once there are at least <paramref name="count"/> items.</summary>
    public Task<IReadOnlyList<T>> WaitForCountAsync(
        int count, TimeSpan timeout, Func<IReadOnlyList<T>, string> describe, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return WaitUntilAsync(items => items.Count >= count, timeout, describe, cancellationToken);
    }

    /// <summary>Re-checks <paramref name="satisfied"/> on a snapshot after every arrival; returns the snapshot that satisfied it.</summary>
    private async Task<IReadOnlyList<T>> WaitUntilAsync(
        Func<IReadOnlyList<T>, bool> satisfied, TimeSpan timeout, Func<IReadOnlyList<T>, string> describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(describe);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var (received, nextArrival) = SnapshotAndNextArrival();
            if (satisfied(received))
            {
                return received;
            }

            try
            {
                await nextArrival.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One last look: the awaited item may have arrived just as the time ran out.
                received = Snapshot();
                return satisfied(received)
                    ? received
                    : throw new TimeoutException($"nothing matching arrived within {timeout.TotalSeconds:0.###} s; {describe(received)}");
            }
        }
    }

    private (IReadOnlyList<T> Received, Task NextArrival) SnapshotAndNextArrival()
    {
        lock (_gate)
        {
            return ([.. _items], _nextArrival.Task);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Coalesces concurrent single calls into calls that carry many items, while every caller still gets its own outcome; see
/// <see cref="EnqueueBatcher"/> (enqueues) and the audit log's appends.
/// </summary>
/// <remarks>
/// <para>No timer and no added wait: an item goes out at once while fewer than <see cref="MaxInFlight"/> calls are on their
/// way; otherwise it waits for the first of them to return and goes out with the others that arrived meanwhile (up to
/// <see cref="MaxJobs"/> items or <see cref="MaxBytes"/> per call), oldest first. Under light load every item is its own call;
/// under load the calls grow with the number of callers, and an item waits at most for one call to return.</para>
/// <para>Each item gets its own outcome from the answer. A failure of the call itself (unreachable silo, timeout) is every
/// caller's in it; callers that retry send their item again (for enqueues with its own idempotency key, so a call that was
/// applied but whose answer was lost adds nothing twice). A caller that stops waiting does not take its item back.</para>
/// <para>A call that carries one caller's item alone (a slot was free) goes out in that caller's execution context, as its own
/// call would (its trace, its Orleans request context); a call carrying items that gathered while the slots were busy goes out
/// in a clean one, so no caller's ambient state is sent with the others' items (each job's trace context travels in its own
/// headers).</para>
/// </remarks>
public sealed class CallBatcher<TItem, TOutcome>
{
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TOutcome>>> send;
    private readonly Func<TItem, long> sizeOf;
    private readonly Lock gate = new();
    private List<Pending> buffer = [];
    private long bufferedBytes;
    private int inFlight;

    /// <param name="send">One call carrying the items; answers one outcome per item, in order.</param>
    /// <param name="sizeOf">An item's size, counted against <paramref name="maxBytes"/>.</param>
    /// <param name="maxJobs">Most items per call (1..10,000).</param>
    /// <param name="maxBytes">Most bytes per call; a larger item goes alone.</param>
    /// <param name="maxInFlight">Calls on their way at once (1..64).</param>
    public CallBatcher(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TOutcome>>> send, Func<TItem, long> sizeOf, int maxJobs, long maxBytes, int maxInFlight)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(sizeOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxJobs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxJobs, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxInFlight, 64);
        this.send = send;
        this.sizeOf = sizeOf;
        MaxJobs = maxJobs;
        MaxBytes = maxBytes;
        MaxInFlight = maxInFlight;
    }

    public int MaxJobs { get; }

    public long MaxBytes { get; }

    public int MaxInFlight { get; }

    /// <summary>Sends one item; completes with its outcome, or faults with the failure of the call that carried it.</summary>
    public Task<TOutcome> SendAsync(TItem item)
    {
        var pending = new Pending(item, sizeOf(item));
        List<Pending>? batch = null;
        lock (gate)
        {
            buffer.Add(pending);
            bufferedBytes += pending.Bytes;
            if (inFlight < MaxInFlight)
            {
                inFlight++;
                batch = TakeLocked();
            }
        }

        if (batch is not null)
        {
            Start(batch);
        }

        return pending.Completion.Task;
    }

    /// <summary>A free slot's first call carries only the caller who found the slot free (nothing waits while a slot is free), so
    /// it goes out in that caller's context: its trace and request context, as a call of its own would. What gathers meanwhile is
    /// many callers' items, sent from a clean context.</summary>
    private void Start(List<Pending> batch) => _ = SendLoopAsync(batch, callersOwn: true);

    /// <summary>Sends a batch, then whatever gathered meanwhile, until nothing is left; then gives its slot back.</summary>
    private async Task SendLoopAsync(List<Pending> batch, bool callersOwn)
    {
        while (true)
        {
            await SendAsync(batch).ConfigureAwait(false);
            lock (gate)
            {
                if (buffer.Count == 0)
                {
                    inFlight--;
                    return;
                }

                batch = TakeLocked();
            }

            if (callersOwn)
            {
                // The slot's next calls carry other callers' items: on in a clean context, none of theirs.
                var next = batch;
                using (ExecutionContext.SuppressFlow())
                {
                    _ = Task.Run(() => SendLoopAsync(next, callersOwn: false));
                }

                return;
            }
        }
    }

    private async Task SendAsync(List<Pending> batch)
    {
        IReadOnlyList<TOutcome> outcomes;
        try
        {
            var items = new TItem[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                items[i] = batch[i].Item;
            }

            outcomes = await send(items).ConfigureAwait(false);
            if (outcomes.Count != batch.Count)
            {
                throw new WorkersException(WorkersErrorCodes.InternalError, $"The call answered {outcomes.Count} outcomes for {batch.Count} items.");
            }
        }
        catch (Exception error)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(error);
            }

            return;
        }

        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(outcomes[i]);
        }
    }

    /// <summary>The oldest buffered jobs, up to a call's limits (at least one).</summary>
    private List<Pending> TakeLocked()
    {
        if (buffer.Count <= MaxJobs && bufferedBytes <= MaxBytes)
        {
            var all = buffer;
            buffer = [];
            bufferedBytes = 0;
            return all;
        }

        int take = 0;
        long bytes = 0;
        while (take < buffer.Count && take < MaxJobs && (take == 0 || bytes + buffer[take].Bytes <= MaxBytes))
        {
            bytes += buffer[take].Bytes;
            take++;
        }

        var first = buffer.GetRange(0, take);
        buffer.RemoveRange(0, take);
        bufferedBytes -= bytes;
        return first;
    }

    private sealed class Pending(TItem item, long bytes)
    {
        public TItem Item { get; } = item;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource<TOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

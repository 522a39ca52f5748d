namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Coalesces concurrent single enqueues to one queue into <see cref="IQueueGrain.EnqueueEach"/> calls, so many callers
/// cost one message and one turn instead of one each, while every caller still gets its own acknowledgement or error.
/// </summary>
/// <remarks>
/// <para>No timer and no added wait: a job goes out at once while fewer than <see cref="MaxInFlight"/> calls are on their way;
/// otherwise it waits for the first of them to return and goes out with the others that arrived meanwhile (up to
/// <see cref="MaxJobs"/> jobs or <see cref="MaxBytes"/> of payload per call). Under light load every job is its own call, as
/// before; under load the batches grow with the number of callers, bounded by one round trip of delay.</para>
/// <para>Each job is judged alone (<see cref="EnqueueOutcome"/>): one caller's invalid job or reused key refuses only that
/// caller. A failure of the call itself (unreachable silo, timeout, failed store write) is every caller's in it; callers that
/// retry send their job again with its own idempotency key, so a call that was applied but whose answer was lost does not add
/// jobs twice. A caller that stops waiting (its token) does not take its job back: it may still be enqueued, as with a
/// single call whose answer is not awaited.</para>
/// <para>Calls go out in a clean execution context, so one caller's ambient state (activity, Orleans request context) is
/// not sent with the others' jobs; each job's trace context travels in its own headers.</para>
/// </remarks>
public sealed class EnqueueBatcher
{
    private readonly Func<IReadOnlyList<EnqueueRequest>, Task<IReadOnlyList<EnqueueOutcome>>> send;
    private readonly Lock gate = new();
    private List<Pending> buffer = [];
    private long bufferedBytes;
    private int inFlight;

    /// <param name="send">One call carrying the jobs (normally <see cref="IQueueGrain.EnqueueEach"/> of the queue).</param>
    /// <param name="maxJobs">Most jobs per call (1..10,000).</param>
    /// <param name="maxBytes">Most payload characters per call; a larger job goes alone.</param>
    /// <param name="maxInFlight">Calls on their way at once (1..64).</param>
    public EnqueueBatcher(Func<IReadOnlyList<EnqueueRequest>, Task<IReadOnlyList<EnqueueOutcome>>> send, int maxJobs = 500, long maxBytes = 1 << 20, int maxInFlight = 4)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxJobs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxJobs, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxInFlight, 64);
        this.send = send;
        MaxJobs = maxJobs;
        MaxBytes = maxBytes;
        MaxInFlight = maxInFlight;
    }

    public int MaxJobs { get; }

    public long MaxBytes { get; }

    public int MaxInFlight { get; }

    /// <summary>Enqueues one job; completes with its acknowledgement, or faults with its refusal or the call's failure.</summary>
    public Task<EnqueueResult> EnqueueAsync(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pending = new Pending(request, SizeOf(request));
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

    private static long SizeOf(EnqueueRequest request) => request.Payload.Length + (request.Name?.Length ?? 0) + 64;

    private void Start(List<Pending> batch)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => SendLoopAsync(batch));
        }
    }

    /// <summary>Sends a batch, then whatever gathered meanwhile, until nothing is left; then gives its slot back.</summary>
    private async Task SendLoopAsync(List<Pending> batch)
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
        }
    }

    private async Task SendAsync(List<Pending> batch)
    {
        IReadOnlyList<EnqueueOutcome> outcomes;
        try
        {
            var requests = new EnqueueRequest[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                requests[i] = batch[i].Request;
            }

            outcomes = await send(requests).ConfigureAwait(false);
            if (outcomes.Count != batch.Count)
            {
                throw new WorkersException(WorkersErrorCodes.InternalError, $"The queue answered {outcomes.Count} outcomes for {batch.Count} jobs.");
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
            if (outcomes[i].Result is { } result)
            {
                batch[i].Completion.TrySetResult(result);
            }
            else
            {
                batch[i].Completion.TrySetException(outcomes[i].ToException());
            }
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

    private sealed class Pending(EnqueueRequest request, long bytes)
    {
        public EnqueueRequest Request { get; } = request;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource<EnqueueResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

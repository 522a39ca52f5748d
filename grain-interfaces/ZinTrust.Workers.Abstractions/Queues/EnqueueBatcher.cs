namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Coalesces concurrent single enqueues to one queue into <see cref="IQueueGrain.EnqueueEach"/> calls, so many callers
/// cost one message and one turn instead of one each, while every caller still gets its own acknowledgement or error
/// (a <see cref="CallBatcher{TItem, TOutcome}"/> of enqueue requests).
/// </summary>
/// <remarks>Each job is judged alone (<see cref="EnqueueOutcome"/>): one caller's invalid job, <c>QUEUE_FULL</c> or reused key
/// refuses only that caller, with the error its own call would have thrown. A failed call is every caller's in it.</remarks>
public sealed class EnqueueBatcher
{
    private readonly CallBatcher<EnqueueRequest, EnqueueOutcome> calls;

    /// <param name="send">One call carrying the jobs (normally <see cref="IQueueGrain.EnqueueEach"/> of the queue).</param>
    /// <param name="maxJobs">Most jobs per call (1..10,000).</param>
    /// <param name="maxBytes">Most payload characters per call; a larger job goes alone.</param>
    /// <param name="maxInFlight">Calls on their way at once (1..64).</param>
    public EnqueueBatcher(Func<IReadOnlyList<EnqueueRequest>, Task<IReadOnlyList<EnqueueOutcome>>> send, int maxJobs = 500, long maxBytes = 1 << 20, int maxInFlight = 4) =>
        calls = new(send, static r => r.Payload.Length + (r.Name?.Length ?? 0) + 64, maxJobs, maxBytes, maxInFlight);

    /// <summary>Enqueues one job; completes with its acknowledgement, or faults with its refusal or the call's failure.</summary>
    public async Task<EnqueueResult> EnqueueAsync(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await calls.SendAsync(request).ConfigureAwait(false);
        return outcome.Result ?? throw outcome.ToException();
    }
}

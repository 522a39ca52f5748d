using System.Collections.Concurrent;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// One <see cref="EnqueueBatcher"/> per queue grain (a queue, or one partition of it), shared by everything in this process that
/// enqueues through it (the client's queues, the REST facade, via <see cref="QueuePartitions.EnqueueAsync"/>), so concurrent
/// callers of one queue share calls. Thread-safe.
/// </summary>
/// <remarks>A batcher holds nothing while idle (no timer, no buffer), so one per queue ever used is kept.</remarks>
public sealed class EnqueueBatchers(IGrainFactory grains, int maxJobs = 500, int maxInFlight = 4)
{
    private readonly ConcurrentDictionary<string, EnqueueBatcher> byQueue = new(StringComparer.Ordinal);
    private readonly IGrainFactory grains = grains;
    private readonly int maxJobs = maxJobs;
    private readonly int maxInFlight = maxInFlight;

    /// <summary>The batcher of the queue grain keyed <paramref name="queue"/> (<see cref="QueuePartitions.GrainKey"/>).</summary>
    public EnqueueBatcher For(string queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return byQueue.TryGetValue(queue, out var batcher)
            ? batcher
            : byQueue.GetOrAdd(queue, static (name, self) =>
            {
                var grain = self.grains.GetGrain<IQueueGrain>(name);
                return new EnqueueBatcher(grain.EnqueueEach, self.maxJobs, maxInFlight: self.maxInFlight);
            }, this);
    }
}

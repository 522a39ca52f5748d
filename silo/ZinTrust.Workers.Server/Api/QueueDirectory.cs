using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Which queue names the API acts on: the queues of registered workers and the queues that hold something in the job store.
/// Asking never activates a queue or writes anything, so reads of made-up names cost nothing lasting (404 QUEUE_NOT_FOUND).
/// Names found to exist are remembered for a short while (bounded), so polling a job's status costs no extra round trip.
/// </summary>
public sealed class QueueDirectory(IGrainFactory grains, IJobStore store, TimeProvider time)
{
    private const int MaxRemembered = 10_000;
    private static readonly TimeSpan Remember = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, DateTimeOffset> known = new(StringComparer.Ordinal);

    /// <summary>The queues of registered workers, sorted.</summary>
    public async Task<string[]> WorkerQueuesAsync() =>
        [.. (await grains.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: true)).SelectMany(w => w.QueueNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Throws QUEUE_NOT_FOUND unless a worker uses the queue or the store holds something of it.</summary>
    public async Task EnsureExistsAsync(string queue, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (known.TryGetValue(queue, out var until) && until > now)
        {
            return;
        }

        if (!(await WorkerQueuesAsync()).Contains(queue, StringComparer.Ordinal) && !await store.ExistsAsync(queue, cancellationToken))
        {
            known.TryRemove(queue, out _);
            throw new WorkersException(WorkersErrorCodes.QueueNotFound, $"Queue '{queue}' was not found: no worker uses it and it holds no jobs.");
        }

        if (known.Count >= MaxRemembered)
        {
            known.Clear();
        }

        known[queue] = now + Remember;
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The queues a replica consumes: one, or a multi-queue worker's several, which share its free slots by weight.</summary>
internal sealed partial class ReplicaRunner
{
    /// <summary>
    /// The slots leased from: each consumed queue's partitions (<see cref="ReplicaSpec.Partitions"/>), each partition a slot of
    /// its queue's weight. Every consumed queue has the worker's count, so the queues' shares keep their weights' ratio, and a
    /// queue's partitions share its part equally; a partition with too few jobs leaves its share to the others.
    /// </summary>
    private static QueueSlot[] Slots(ReplicaSpec spec, IGrainFactory grains)
    {
        var router = QueuePartitions.Of(grains);
        int partitions = Math.Clamp(spec.Partitions, 1, QueuePartitions.Max);
        return [.. (spec.Queues is { Count: > 0 } consumed ? consumed : [new WorkerQueue { Name = spec.QueueName }])
            .SelectMany(q => Enumerable.Range(0, partitions).Select(p => new QueueSlot(q.Name, p, router.Partition(q.Name, p), q.Weight)))];
    }

    /// <summary>
    /// A multi-queue worker's lease: the free slots go to its queues in proportion to their weights (a smooth weighted
    /// round-robin over slots, so shares hold over time even one slot at a time), the queue owed most asked first; a queue
    /// with fewer jobs than its share leaves the rest to the others. Every queue that had nothing keeps this replica among
    /// its waiters and wakes it when work arrives. Fails only when no queue could be reached.
    /// </summary>
    private async Task<IReadOnlyList<LeasedJob>> LeaseWeightedAsync(int free)
    {
        var shares = new int[queues.Length];
        for (int slot = 0; slot < free; slot++)
        {
            int best = 0;
            for (int i = 0; i < queues.Length; i++)
            {
                queues[i].Credit += queues[i].Weight;
                if (queues[i].Credit > queues[best].Credit)
                {
                    best = i;
                }
            }

            queues[best].Credit -= totalWeight;
            shares[best]++;
        }

        var leased = new List<LeasedJob>();
        var full = new List<int>();
        Exception? error = null;
        int reached = 0;
        foreach (int i in Enumerable.Range(0, queues.Length).OrderByDescending(i => shares[i]))
        {
            int ask = Math.Min(free - leased.Count, shares[i]);
            if (ask <= 0)
            {
                continue;
            }

            var got = await TryLeaseAsync(queues[i], ask).ConfigureAwait(false);
            if (got.Error is not null)
            {
                error = got.Error;
                continue;
            }

            reached++;
            leased.AddRange(got.Jobs);
            if (got.Jobs.Count == ask)
            {
                full.Add(i);
            }
        }

        // What a queue with too few jobs left: to the other queues, those with no share this time first (they are owed).
        foreach (int i in Enumerable.Range(0, queues.Length).Where(i => shares[i] == 0).Concat(full))
        {
            if (leased.Count >= free)
            {
                break;
            }

            var got = await TryLeaseAsync(queues[i], free - leased.Count).ConfigureAwait(false);
            if (got.Error is not null)
            {
                error = got.Error;
                continue;
            }

            reached++;
            leased.AddRange(got.Jobs);
        }

        if (reached == 0 && error is not null)
        {
            throw error;
        }

        return leased;
    }

    private async Task<(IReadOnlyList<LeasedJob> Jobs, Exception? Error)> TryLeaseAsync(QueueSlot slot, int max)
    {
        try
        {
            return (await slot.Grain.LeaseFor(new LeaseRequest { ReplicaId = replicaId, Max = max, Version = spec.Version }).ConfigureAwait(false), null);
        }
        catch (Exception ex)
        {
            LogQueueLeaseFailed(logger, replicaId, slot.Name, ex);
            return ([], ex);
        }
    }

    /// <summary>The queue partition a leased job came from (its queue's name and its id's partition; the worker's own queue
    /// when it names none of the others).</summary>
    private QueueSlot SlotOf(LeasedJob job)
    {
        if (queues.Length > 1)
        {
            int partition = QueuePartitions.PartitionOf(job.JobId);
            foreach (var slot in queues)
            {
                if (slot.Partition == partition && string.Equals(slot.Name, job.Queue, StringComparison.Ordinal))
                {
                    return slot;
                }
            }
        }

        return queues[0];
    }

    /// <summary>One consumed queue and its weighted round-robin credit (touched by the lease loop only).</summary>
    private sealed class QueueSlot(string name, int partition, IQueueGrain grain, int weight)
    {
        public string Name { get; } = name;

        public int Partition { get; } = partition;

        public IQueueGrain Grain { get; } = grain;

        public int Weight { get; } = weight;

        public int Credit { get; set; }
    }
}

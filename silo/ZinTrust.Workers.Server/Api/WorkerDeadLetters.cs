using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>
/// A worker's dead-letter queue: the dead letters of the queues it consumes (a multi-queue worker has several), read and retried
/// as one. The jobs stay in their queues; this only chooses which queues a call reaches and pages across them.
/// </summary>
internal static class WorkerDeadLetters
{
    /// <summary>Ids one retry may name (each is sent to every queue it reaches).</summary>
    public const int MaxIds = 10_000;

    /// <summary>The queues a call acts on: the worker's, primary first, or the one named, which must be one of them.</summary>
    public static IReadOnlyList<string> Queues(WorkerDefinition definition, string? queue, Func<string, ApiException> notTheWorkers)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(notTheWorkers);
        var all = definition.ConsumedQueues.Select(q => q.Name).Prepend(definition.QueueName).Distinct(StringComparer.Ordinal).ToArray();
        if (queue is null)
        {
            return all;
        }

        if (WorkerValidation.CheckQueueName(queue) is { } error)
        {
            throw error.ToException();
        }

        if (!all.Contains(queue, StringComparer.Ordinal))
        {
            throw notTheWorkers($"Worker '{definition.Name}' does not consume queue '{queue}'; its queues are {string.Join(", ", all)}.");
        }

        return [queue];
    }

    /// <summary>
    /// How many dead letters each queue holds, and the page at <paramref name="offset"/> of them all taken queue by queue (in
    /// <paramref name="queues"/>' order), oldest failure first within a queue. Each queue is asked only for its part of the page.
    /// </summary>
    public static async Task<(IReadOnlyList<(string Queue, int Count)> Counts, IReadOnlyList<JobRecord> Jobs)> PageAsync(
        IGrainFactory grains, IReadOnlyList<string> queues, int offset, int limit)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(queues);
        var router = QueuePartitions.Of(grains);
        var stats = await Task.WhenAll(queues.Select(router.GetStatsAsync));
        var parts = new List<Task<IReadOnlyList<JobRecord>>>();
        int skip = offset, remaining = limit;
        for (int i = 0; i < queues.Count && remaining > 0; i++)
        {
            int count = stats[i].Failed;
            if (skip >= count)
            {
                skip -= count;
                continue;
            }

            int take = Math.Min(remaining, count - skip);
            parts.Add(router.ListJobsAsync(queues[i], JobState.Failed, skip, take));
            remaining -= take;
            skip = 0;
        }

        var pages = await Task.WhenAll(parts);
        IReadOnlyList<(string Queue, int Count)> counts = [.. queues.Select((q, i) => (Queue: q, Count: stats[i].Failed))];
        IReadOnlyList<JobRecord> jobs = [.. pages.SelectMany(p => p)];
        return (counts, jobs);
    }

    /// <summary>Moves the dead letters named (null: all) in each queue back to waiting with fresh attempts; how many per queue.</summary>
    public static async Task<IReadOnlyList<(string Queue, int Retried)>> RetryAsync(IGrainFactory grains, IReadOnlyList<string> queues, IReadOnlyList<string>? ids)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(queues);
        var counts = await Task.WhenAll(queues.Select(q => QueuePartitions.Of(grains).RetryDeadLettersAsync(q, ids)));
        return [.. queues.Select((q, i) => (Queue: q, Retried: counts[i]))];
    }
}

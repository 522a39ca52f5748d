using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The depth by state of the queues whose grains run in this process, published by them after each durable write, read
/// by the <see cref="WorkersInstruments.Depth"/> gauge.</summary>
internal static class QueueDepths
{
    private static readonly ConcurrentDictionary<string, QueueStats> Queues = new(StringComparer.Ordinal);

    /// <summary>A queue grain's depth, by its key (a partition's key for a partitioned queue: the gauge sums a queue's partitions).</summary>
    public static void Publish(string key, QueueStats stats) => Queues[key] = stats;

    public static void Forget(string queue) => Queues.TryRemove(queue, out _);

    public static IEnumerable<Measurement<int>> Observe()
    {
        foreach (var stats in Queues.Values.GroupBy(s => s.Queue, StringComparer.Ordinal).Select(Sum))
        {
            var queue = new KeyValuePair<string, object?>(WorkersInstruments.QueueTag, stats.Queue);
            yield return new(stats.Waiting, queue, new(WorkersInstruments.StateTag, "waiting"));
            yield return new(stats.Delayed, queue, new(WorkersInstruments.StateTag, "delayed"));
            yield return new(stats.Active, queue, new(WorkersInstruments.StateTag, "active"));
            yield return new(stats.Completed, queue, new(WorkersInstruments.StateTag, "completed"));
            yield return new(stats.Failed, queue, new(WorkersInstruments.StateTag, "failed"));
            yield return new(stats.Cancelled, queue, new(WorkersInstruments.StateTag, "cancelled"));
        }
    }

    private static QueueStats Sum(IGrouping<string, QueueStats> partitions)
    {
        var all = partitions.ToArray();
        return all.Length == 1 ? all[0] : QueuePartitions.Summed(partitions.Key, all);
    }
}

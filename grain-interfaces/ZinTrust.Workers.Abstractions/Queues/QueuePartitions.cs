using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Where a queue's jobs live when the queue has partitions (<see cref="JobOptions.Partitions"/>), and the one router every
/// producer and reader goes through: the REST facade, the client library, schedules, flows, the worker, canary and scaling grains.
/// </summary>
/// <remarks>
/// <para>Names. Partition 0 is the queue grain keyed by the queue's own name, so a queue of one partition is exactly a queue as it
/// always was (same grain, same store keys). Partition p ≥ 1 is the queue grain keyed <c>{queue}#{p}</c>: '#' is outside the
/// queue-name alphabet, so no user queue can take that key, and each partition has its own store keys and Redis hash tag.</para>
/// <para>Job ids name their partition: ids made by partition p ≥ 1 end in <c>_p{p}</c> (within the job-id alphabet), those of
/// partition 0 are as always, so a lookup by id (get, cancel, logs, retry, watch, a flow's child-to-parent notice) goes straight
/// to its partition without knowing the count.</para>
/// <para>Placement. A job with a group goes to the partition of its group's hash (groups take turns and keep their concurrency
/// bound within one grain); otherwise a job with an idempotency key goes to its key's hash (a repeat finds the job); other jobs
/// spread round-robin. Each partition refuses (<c>PARTITION_MISMATCH</c>) a job that its own count places elsewhere, and the
/// router then re-reads the count and sends the job again, so a count cached here can be out of date but never misplaces a job.</para>
/// <para>The count is partition 0's policy. It is cached for <see cref="CountTtl"/> for enqueues; queue-wide reads and actions
/// (stats, lists, pause, resume, prune, dead letters, the canary split) read it afresh. It changes only while the queue is
/// empty (<c>PARTITIONS_LOCKED</c> otherwise), so a stale cache costs at most that long of less spreading.</para>
/// </remarks>
public sealed partial class QueuePartitions
{
    /// <summary>The most partitions a queue may have.</summary>
    public const int Max = 64;

    /// <summary>Between a queue's name and a partition's number in the partition's grain key.</summary>
    public const char Separator = '#';

    /// <summary>The most jobs a merged page of a partitioned queue reaches (offset + limit): each partition is read up to it.</summary>
    public const int MaxMergedWindow = 1000;

    /// <summary>How long a router trusts the partition count it read for enqueues.</summary>
    public static readonly TimeSpan CountTtl = TimeSpan.FromSeconds(10);

    private const string IdMarker = "_p";
    private static readonly ConditionalWeakTable<IGrainFactory, QueuePartitions> Routers = [];

    private readonly IGrainFactory grains;
    private readonly ConcurrentDictionary<string, Route> routes = new(StringComparer.Ordinal);
    private int spread;

    private QueuePartitions(IGrainFactory grains) => this.grains = grains;

    /// <summary>The router of a grain factory (a silo's or a client's): one per factory, so its cache is shared by its callers.</summary>
    public static QueuePartitions Of(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return Routers.GetValue(grains, static g => new QueuePartitions(g));
    }

    /// <summary>The grain key of a queue's partition: the queue's name for partition 0, <c>{queue}#{p}</c> otherwise.</summary>
    public static string GrainKey(string queue, int partition)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, Max);
        return partition == 0 ? queue : string.Concat(queue, "#", partition.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The queue and partition of a grain key. A key without <see cref="Separator"/> is partition 0; a key whose number is
    /// not 1..<see cref="Max"/>-1 is returned whole as partition 0 (it is then not a valid queue name, and is refused as one).</summary>
    public static (string Queue, int Partition) ParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int at = key.LastIndexOf(Separator);
        return at > 0 && Number(key.AsSpan(at + 1)) is { } partition ? (key[..at], partition) : (key, 0);
    }

    /// <summary>The queue a grain key or store key belongs to (the key itself for partition 0).</summary>
    public static string QueueOf(string key) => ParseKey(key).Queue;

    /// <summary>A job id made by <paramref name="partition"/> from a fresh unique <paramref name="id"/>.</summary>
    public static string JobId(string id, int partition)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return partition == 0 ? id : string.Concat(id, IdMarker, partition.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The partition a job id names (0 when it names none).</summary>
    public static int PartitionOf(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        int at = jobId.LastIndexOf(IdMarker, StringComparison.Ordinal);
        return at > 0 && Number(jobId.AsSpan(at + IdMarker.Length)) is { } partition ? partition : 0;
    }

    /// <summary>The partition a job must go to among <paramref name="partitions"/>, or null when any will do: its group's, else
    /// its idempotency key's (a stable hash, the same in every process).</summary>
    public static int? PinnedPartition(EnqueueRequest request, int partitions)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (partitions <= 1)
        {
            return partitions == 1 ? 0 : null;
        }

        string? pin = request.Group ?? request.IdempotencyKey;
        return pin is null ? null : (int)(Hash(pin) % (uint)partitions);
    }

    /// <summary>A partition's share of a queue-wide bound: the ceiling of <paramref name="total"/> / <paramref name="partitions"/>.</summary>
    public static int Share(int total, int partitions) => partitions <= 1 || total <= 0 ? total : (int)(((long)total + partitions - 1) / partitions);

    /// <summary>FNV-1a (32 bits) over the string's UTF-16 code units: stable across processes and releases, unlike
    /// <see cref="string.GetHashCode()"/>.</summary>
    public static uint Hash(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        uint hash = 2166136261;
        foreach (char c in value)
        {
            hash = (hash ^ (byte)c) * 16777619;
            hash = (hash ^ (byte)(c >> 8)) * 16777619;
        }

        return hash;
    }

    /// <summary>A partition number 1..Max-1 written without a leading zero; null otherwise.</summary>
    private static int? Number(ReadOnlySpan<char> text)
    {
        if (text.Length is 0 or > 2 || text[0] == '0')
        {
            return null;
        }

        int value = 0;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }

            value = (value * 10) + (c - '0');
        }

        return value < Max ? value : null;
    }

    /// <summary>A queue's partition count as last read, its grains, and until when the count is trusted for enqueues.</summary>
    private sealed record Route(IQueueGrain[] Partitions, long UntilTick);
}

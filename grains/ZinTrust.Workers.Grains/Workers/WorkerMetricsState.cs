namespace ZinTrust.Workers.Grains;

/// <summary>
/// A worker's durable metrics, kept in grain storage as the worker grain's second state ("metrics"), beside its definition and
/// status. The buckets and the baselines they were counted from are written together, so after a move or a crash the worker
/// counts on from the last write: nothing a surviving replica reported is counted twice or left out.
/// </summary>
[GenerateSerializer, Alias("zt.WorkerMetricsState")]
public sealed class WorkerMetricsState
{
    /// <summary>Hourly buckets, oldest first, at most <see cref="WorkerMetricsBook.HourlyBuckets"/>.</summary>
    [Id(0)] public List<MetricsBucketState> Hours { get; set; } = [];

    /// <summary>Daily buckets, oldest first, at most <see cref="WorkerMetricsBook.DailyBuckets"/>.</summary>
    [Id(1)] public List<MetricsBucketState> Days { get; set; } = [];

    /// <summary>Monthly buckets, oldest first, at most <see cref="WorkerMetricsBook.MonthlyBuckets"/>.</summary>
    [Id(2)] public List<MetricsBucketState> Months { get; set; } = [];

    /// <summary>What each replica (by replica grain key) had reported when it was last counted.</summary>
    [Id(3)] public Dictionary<string, ReplicaMetricsBaseline> Replicas { get; set; } = [];

    /// <summary>Each consumed queue's retry and dead-letter counters when they were last counted.</summary>
    [Id(4)] public Dictionary<string, QueueMetricsBaseline> Queues { get; set; } = [];

    /// <summary>The first collection: queue counters that started before it are taken as a baseline, not counted.</summary>
    [Id(5)] public DateTimeOffset? CollectingSince { get; set; }

    /// <summary>The last collection.</summary>
    [Id(6)] public DateTimeOffset? CollectedAt { get; set; }

    /// <summary>When this state was last written (set just before the write).</summary>
    [Id(7)] public DateTimeOffset? SavedAt { get; set; }
}

/// <summary>One hour, day or month of a worker's runs.</summary>
[GenerateSerializer, Alias("zt.MetricsBucketState")]
public sealed class MetricsBucketState
{
    [Id(0)] public DateTimeOffset Start { get; set; }
    [Id(1)] public long Completed { get; set; }
    [Id(2)] public long Failed { get; set; }
    [Id(3)] public long Retried { get; set; }
    [Id(4)] public long DeadLettered { get; set; }

    /// <summary>The run times of the attempts counted, summed (for the average).</summary>
    [Id(5)] public long DurationTicks { get; set; }

    /// <summary>Runs per <see cref="Abstractions.RunTimeHistogram"/> bucket; buckets without runs are left out.</summary>
    [Id(6)] public Dictionary<int, long> RunTimes { get; set; } = [];

    [Id(7)] public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One replica's counters as last counted.</summary>
[GenerateSerializer, Alias("zt.ReplicaMetricsBaseline")]
public sealed class ReplicaMetricsBaseline
{
    /// <summary>The runner's incarnation those counters belong to (null for a replica of a build that does not report one).</summary>
    [Id(0)] public string? Incarnation { get; set; }
    [Id(1)] public long Completed { get; set; }
    [Id(2)] public long Failed { get; set; }
    [Id(3)] public long DurationTicks { get; set; }

    /// <summary>Run-time bucket counts (sparse: bucket → count).</summary>
    [Id(4)] public Dictionary<int, long> RunTimes { get; set; } = [];

    /// <summary>Earlier incarnations of this replica, newest last (bounded): a late report from one of them is ignored.</summary>
    [Id(5)] public List<string> Retired { get; set; } = [];

    [Id(6)] public DateTimeOffset SeenAt { get; set; }
}

/// <summary>One queue's counters as last counted; they restart when the queue grain does (a new <see cref="Since"/>).</summary>
[GenerateSerializer, Alias("zt.QueueMetricsBaseline")]
public sealed class QueueMetricsBaseline
{
    [Id(0)] public DateTimeOffset Since { get; set; }
    [Id(1)] public long Retried { get; set; }
    [Id(2)] public long DeadLettered { get; set; }
    [Id(3)] public DateTimeOffset SeenAt { get; set; }
}

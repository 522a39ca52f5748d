namespace ZinTrust.Workers.Abstractions;

/// <summary>A worker's live status: lifecycle, replicas, queue depth and counters.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerStatusReport")]
public sealed record WorkerStatusReport
{
    [Id(0)] public required WorkerInfo Worker { get; init; }
    [Id(1)] public IReadOnlyList<ReplicaStatus> Replicas { get; init; } = [];
    [Id(2)] public QueueStats? Queue { get; init; }
    [Id(3)] public long Completed { get; init; }
    [Id(4)] public long Failed { get; init; }
    [Id(5)] public int InFlight { get; init; }

    /// <summary>Mean processor run time over the completed and failed attempts counted here.</summary>
    [Id(6)] public TimeSpan AverageDuration { get; init; }

    /// <summary>The latest health score (null until the first sample of this run).</summary>
    [Id(7)] public WorkerHealthScore? HealthScore { get; init; }

    /// <summary>The replicas' run-time buckets merged (<see cref="DurationHistogram"/>).</summary>
    [Id(8)] public long[] DurationBuckets { get; init; } = [];
}

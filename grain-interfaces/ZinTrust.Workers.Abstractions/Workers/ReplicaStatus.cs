namespace ZinTrust.Workers.Abstractions;

/// <summary>One replica's view: where it runs and what it has done since it started.</summary>
[GenerateSerializer, Immutable, Alias("zt.ReplicaStatus")]
public sealed record ReplicaStatus
{
    [Id(0)] public required string ReplicaId { get; init; }
    [Id(1)] public ReplicaState State { get; init; }
    [Id(2)] public string? Silo { get; init; }
    [Id(3)] public int Concurrency { get; init; }
    [Id(4)] public int InFlight { get; init; }
    [Id(5)] public long Completed { get; init; }
    [Id(6)] public long Failed { get; init; }
    [Id(7)] public long Generation { get; init; }
    [Id(8)] public TimeSpan TotalDuration { get; init; }
    [Id(9)] public string? LastError { get; init; }
    [Id(10)] public WorkerHealth Health { get; init; } = new();

    /// <summary>Run times of the attempts counted in Completed and Failed (<see cref="DurationHistogram"/> buckets).</summary>
    [Id(11)] public long[]? DurationBuckets { get; init; }

    /// <summary>The worker version the replica runs.</summary>
    [Id(12)] public string? Version { get; init; }

    /// <summary>The same runs as <see cref="DurationBuckets"/>, in the finer <see cref="RunTimeHistogram"/> buckets (within 5 %);
    /// null from replicas of builds before it.</summary>
    [Id(13)] public long[]? RunTimeBuckets { get; init; }

    /// <summary>Names this start of the replica's runner (new each time it starts): within one incarnation the counters only grow,
    /// so the worker can tell a restarted replica from one it has already counted. Null when no runner runs, and from replicas of
    /// builds before it.</summary>
    [Id(14)] public string? Incarnation { get; init; }
}

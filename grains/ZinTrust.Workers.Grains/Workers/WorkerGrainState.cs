using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The persisted part of a worker grain.</summary>
[GenerateSerializer, Alias("zt.WorkerGrainState")]
public sealed class WorkerGrainState
{
    [Id(0)] public WorkerDefinition? Definition { get; set; }
    [Id(1)] public WorkerStatus Status { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public DateTimeOffset? StartedAt { get; set; }
    [Id(5)] public string? LastError { get; set; }
    [Id(6)] public long Generation { get; set; }

    /// <summary>Replicas that may still run from an earlier definition (kept so a shrink can stop them).</summary>
    [Id(7)] public int RunningReplicas { get; set; }

    /// <summary>Paused: replicas stay up but take no new jobs (they run with concurrency 0).</summary>
    [Id(8)] public bool Paused { get; set; }

    /// <summary>The definition at each version, oldest first, at most <see cref="WorkerGrain.MaxVersions"/>.</summary>
    [Id(9)] public List<WorkerVersionRecord> Versions { get; set; } = [];

    /// <summary>The worker circuit's last known state (kept so supervision re-applies it after a restart).</summary>
    [Id(10)] public CircuitState Circuit { get; set; }

    [Id(11)] public int HalfOpenAttempts { get; set; } = 1;

    /// <summary>The registered versions, oldest first, at most <see cref="WorkerGrain.MaxVersions"/> (the active one is never dropped).</summary>
    [Id(12)] public List<WorkerVersionSpec> Registered { get; set; } = [];

    /// <summary>The last rolling update (in progress while <see cref="RollingFrom"/> is set).</summary>
    [Id(13)] public VersionRollout? Rollout { get; set; }

    /// <summary>While a rolling update runs: the definition replicas not yet replaced still run (<see cref="Definition"/> is the
    /// target). Kept so a worker grain that moves mid-roll finishes it instead of restarting everything.</summary>
    [Id(14)] public WorkerDefinition? RollingFrom { get; set; }

    /// <summary>The canary replica set, while the worker has a canary.</summary>
    [Id(15)] public CanaryReplicaSet? Canary { get; set; }

    /// <summary>The region the replicas run in now (null: anywhere): the placement's, or the secondary after a failover.</summary>
    [Id(16)] public string? Region { get; set; }

    /// <summary>The last moves between regions, oldest first.</summary>
    [Id(17)] public List<RegionMove> RegionMoves { get; set; } = [];

    /// <summary>An operator stopped the worker's health monitoring (no sampling timer, no score, no health policy) until they
    /// start it again. False for every worker stored before the flag existed: monitored, as before.</summary>
    [Id(18)] public bool MonitoringStopped { get; set; }

    /// <summary>While <see cref="Status"/> is failed: why and when (a failed start, or a declared health check that failed its
    /// threshold's times in a row). Kept with the status, so a failed worker stays failed, with its reason, across silo losses.</summary>
    [Id(19)] public WorkerFailure? Failure { get; set; }
}

/// <summary>A canary's replicas: how many, running which registered version.</summary>
[GenerateSerializer, Alias("zt.CanaryReplicaSet")]
public sealed record CanaryReplicaSet
{
    [Id(0)] public required string Version { get; init; }
    [Id(1)] public int Replicas { get; init; }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A worker's definition with its lifecycle state.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerInfo")]
public sealed record WorkerInfo
{
    [Id(0)] public required WorkerDefinition Definition { get; init; }
    [Id(1)] public WorkerStatus Status { get; init; }
    [Id(2)] public DateTimeOffset CreatedAt { get; init; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(4)] public DateTimeOffset? StartedAt { get; init; }
    [Id(5)] public string? LastError { get; init; }
    [Id(6)] public WorkerHealth Health { get; init; } = new();

    /// <summary>Increases on every start; replicas of an older generation stop.</summary>
    [Id(7)] public long Generation { get; init; }

    /// <summary>Paused: the replicas take no new jobs; running ones finish.</summary>
    [Id(8)] public bool Paused { get; init; }

    /// <summary>The region the replicas run in now (the placement's, or the failover's secondary); null = anywhere.</summary>
    [Id(9)] public string? PlacedIn { get; init; }

    /// <summary>Health monitoring is stopped (POST …/monitoring/stop): no samples, no health score, no health policy. False by
    /// default, so a worker is monitored unless an operator stopped it.</summary>
    [Id(10)] public bool MonitoringStopped { get; init; }

    /// <summary>While <see cref="Status"/> is failed: why (a failed start, or a health check that failed too often) and when.</summary>
    [Id(11)] public WorkerFailure? Failure { get; init; }
}

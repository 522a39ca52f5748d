namespace ZinTrust.Workers.Abstractions;

/// <summary>What a replica needs to run: sent by its worker grain on start and on every supervision tick.</summary>
[GenerateSerializer, Immutable, Alias("zt.ReplicaSpec")]
public sealed record ReplicaSpec
{
    [Id(0)] public required string WorkerName { get; init; }
    [Id(1)] public required string QueueName { get; init; }
    [Id(2)] public required string ProcessorName { get; init; }
    [Id(3)] public int Concurrency { get; init; } = 1;
    [Id(4)] public long Generation { get; init; }
    // [Id(5)] was the lease duration: renewals now follow what the queue grants with each lease (never reuse the id).

    /// <summary>The circuit the replica reports outcomes to (null: the worker has no circuit breaker).</summary>
    [Id(6)] public string? Circuit { get; init; }

    /// <summary>The worker version this replica runs (recorded on every job it leases).</summary>
    [Id(7)] public string? Version { get; init; }

    /// <summary>The registered health check to run; null: the worker's own.</summary>
    [Id(8)] public string? HealthCheck { get; init; }

    /// <summary>The queues to consume with their weights (<see cref="WorkerDefinition.Queues"/>); null: <see cref="QueueName"/> alone.</summary>
    [Id(9)] public IReadOnlyList<WorkerQueue>? Queues { get; init; }

    /// <summary>The assembly to load the processor from (<see cref="WorkerDefinition.ProcessorSpec"/>); null: <see cref="ProcessorName"/>.</summary>
    [Id(10)] public ProcessorSpec? ProcessorSpec { get; init; }

    /// <summary>True: the replica runs no health check (the worker is not health-monitored, or its declared check is one the worker
    /// runs itself).</summary>
    [Id(11)] public bool HealthCheckOff { get; init; }

    /// <summary>How often the replica's check runs; null: WORKER_HEALTH_CHECK_INTERVAL.</summary>
    [Id(12)] public TimeSpan? HealthCheckInterval { get; init; }

    /// <summary>How long one run of the check may take; null: WORKER_CONNECTION_TIMEOUT.</summary>
    [Id(13)] public TimeSpan? HealthCheckTimeout { get; init; }

    /// <summary>features.observability false: no trace span per attempt.</summary>
    [Id(14)] public bool TracingOff { get; init; }

    /// <summary>features.metrics false: the worker's own series (run time by worker) are not recorded.</summary>
    [Id(15)] public bool MetricsOff { get; init; }

    /// <summary>features.plugins false: no plugin hook runs for its jobs or checks.</summary>
    [Id(16)] public bool PluginsOff { get; init; }

    /// <summary>The partitions of each consumed queue (<see cref="JobOptions.Partitions"/>): the replica leases from all of them.</summary>
    [Id(17)] public int Partitions { get; init; } = 1;
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A partial update; null fields are left as they are.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerUpdate")]
public sealed record WorkerUpdate
{
    [Id(0)] public string? QueueName { get; init; }
    [Id(1)] public string? Version { get; init; }
    [Id(2)] public int? Concurrency { get; init; }
    [Id(3)] public string? Processor { get; init; }
    [Id(4)] public bool? AutoStart { get; init; }

    /// <summary>Set when <see cref="AutoStart"/> should become unset (null) again.</summary>
    [Id(5)] public bool ClearAutoStart { get; init; }
    [Id(6)] public bool? ActiveStatus { get; init; }
    [Id(7)] public JobOptions? JobOptions { get; init; }
    [Id(8)] public IReadOnlyDictionary<string, bool>? Features { get; init; }
    [Id(9)] public int? Replicas { get; init; }
    [Id(10)] public TimeSpan? DrainTimeout { get; init; }
    [Id(11)] public string? PersistenceDriver { get; init; }
    [Id(12)] public CircuitBreakerOptions? CircuitBreaker { get; init; }
    [Id(13)] public WorkerHealthPolicy? HealthPolicy { get; init; }
    [Id(14)] public AutoScalingOptions? AutoScaling { get; init; }
    [Id(15)] public string? Region { get; init; }

    /// <summary>A multi-queue worker's queues (the worker's queue among them); an empty list makes it a single-queue worker.</summary>
    [Id(16)] public IReadOnlyList<WorkerQueue>? Queues { get; init; }

    /// <summary>A processor spec to load the processor from; it replaces a registered <see cref="Processor"/> (and setting
    /// <see cref="Processor"/> drops the spec). Not both.</summary>
    [Id(17)] public ProcessorSpec? ProcessorSpec { get; init; }

    /// <summary>A new declared health check (<see cref="WorkerDefinition.HealthCheck"/>).</summary>
    [Id(18)] public HealthCheckSpec? HealthCheck { get; init; }

    /// <summary>Set when the declared health check should be removed (failure detection ends with it).</summary>
    [Id(19)] public bool ClearHealthCheck { get; init; }
}

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
}

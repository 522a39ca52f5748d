namespace ZinTrust.Workers.Abstractions;

/// <summary>A row of the worker registry (what listings show without waking every worker grain).</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerIndexEntry")]
public sealed record WorkerIndexEntry
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string QueueName { get; init; }
    [Id(2)] public string Version { get; init; } = "1.0.0";
    [Id(3)] public WorkerStatus Status { get; init; }
    [Id(4)] public bool ActiveStatus { get; init; } = true;
    [Id(5)] public int Concurrency { get; init; }
    [Id(6)] public bool? AutoStart { get; init; }
    [Id(7)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(8)] public string? PersistenceDriver { get; init; }

    /// <summary>The definition's <c>features.resourceMonitoring</c> (what the resource monitor's gate reads).</summary>
    [Id(9)] public bool ResourceMonitoring { get; init; }
    [Id(10)] public string? Region { get; init; }

    /// <summary>A multi-queue worker's queues (<see cref="WorkerDefinition.Queues"/>); null: <see cref="QueueName"/> alone.</summary>
    [Id(11)] public IReadOnlyList<string>? Queues { get; init; }

    /// <summary>While the worker is failed: why and when (<see cref="WorkerInfo.Failure"/>).</summary>
    [Id(12)] public WorkerFailure? Failure { get; init; }

    /// <summary>The queues the worker consumes: <see cref="Queues"/>, or <see cref="QueueName"/> alone.</summary>
    public IReadOnlyList<string> QueueNames => Queues ?? [QueueName];
}

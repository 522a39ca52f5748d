namespace ZinTrust.Workers.Abstractions;

/// <summary>One queue a multi-queue worker consumes, and its weight: while several of its queues have jobs, each replica's
/// free slots go to them in proportion to their weights (a queue's unused share goes to the others).</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerQueue")]
public sealed record WorkerQueue
{
    public const int MaxWeight = 1000;

    /// <summary>Queues one worker may consume.</summary>
    public const int MaxQueues = 10;

    [Id(0)] public required string Name { get; init; }

    /// <summary>1..<see cref="MaxWeight"/>. Default 1.</summary>
    [Id(1)] public int Weight { get; init; } = 1;
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A job handed to a replica under a lease. <see cref="LeaseToken"/> fences every report about it.</summary>
[GenerateSerializer, Immutable, Alias("zt.LeasedJob")]
public sealed record LeasedJob
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string Queue { get; init; }
    [Id(2)] public string Payload { get; init; } = "null";
    [Id(3)] public int Attempt { get; init; }
    [Id(4)] public int MaxAttempts { get; init; }
    [Id(5)] public long LeaseToken { get; init; }
    [Id(6)] public TimeSpan Timeout { get; init; }

    /// <summary>How long the lease lasts from when the queue granted it; the replica renews well within it, timed by its own clock.</summary>
    [Id(7)] public TimeSpan LeaseDuration { get; init; }
    [Id(8)] public string? Name { get; init; }
    [Id(9)] public int Priority { get; init; }

    /// <summary>The job's envelope; null when it has none.</summary>
    [Id(10)] public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The job's group (<see cref="EnqueueRequest.Group"/>), null when it has none.</summary>
    [Id(11)] public string? Group { get; init; }

    /// <summary>A flow's parent: how its children settled, by index.</summary>
    [Id(12)] public IReadOnlyList<ChildOutcome>? Children { get; init; }
}

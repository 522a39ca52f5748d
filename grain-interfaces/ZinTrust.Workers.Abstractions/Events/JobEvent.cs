namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// One durable transition of a job: published to the event sinks (metrics, result watchers, the silo's event feed, …) in
/// commit order once the store has it. Carries no payload, result or idempotency key: only what says what moved.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.JobEvent")]
public sealed record JobEvent
{
    [Id(0)] public required JobEventKind Kind { get; init; }
    [Id(1)] public required string JobId { get; init; }
    [Id(2)] public required string Queue { get; init; }

    /// <summary>The state before (null for <see cref="JobEventKind.Enqueued"/>).</summary>
    [Id(3)] public JobState? From { get; init; }

    /// <summary>The state after (null for <see cref="JobEventKind.Deleted"/>).</summary>
    [Id(4)] public JobState? To { get; init; }
    [Id(5)] public DateTimeOffset At { get; init; }

    /// <summary>Attempts started so far, after the transition.</summary>
    [Id(6)] public int Attempt { get; init; }

    /// <summary>The job's lease token after the transition (the new lease's, for <see cref="JobEventKind.Leased"/>).</summary>
    [Id(7)] public long LeaseToken { get; init; }

    /// <summary>The replica that held or took the lease (<c>{worker}/{n}</c>), when there is one.</summary>
    [Id(8)] public string? Replica { get; init; }

    /// <summary>One of <see cref="JobFailureReasons"/>, for dead letters and cancellations; for deletions, why (pruned, retention, dead-letter bound).</summary>
    [Id(9)] public string? Reason { get; init; }

    /// <summary>The attempt's error (retries, dead letters).</summary>
    [Id(10)] public string? Error { get; init; }

    /// <summary>Progress 0..100 (<see cref="JobEventKind.Progressed"/>).</summary>
    [Id(11)] public int Progress { get; init; }

    /// <summary>For <see cref="JobEventKind.Leased"/>: how long the job waited since it last became waiting.</summary>
    [Id(12)] public TimeSpan? Waited { get; init; }

    /// <summary>When a lease ends (the job leaves active): how long it was held.</summary>
    [Id(13)] public TimeSpan? Held { get; init; }

    /// <summary>The worker version that ran (or, for <see cref="JobEventKind.Leased"/>, takes) the attempt.</summary>
    [Id(14)] public string? Version { get; init; }

    /// <summary>The worker of <see cref="Replica"/>.</summary>
    public string? Worker => ReplicaKey.TryParse(Replica, out var key) ? key.Worker : null;
}

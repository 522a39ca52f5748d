namespace ZinTrust.Workers.Abstractions;

/// <summary>Depth of a queue by state.</summary>
[GenerateSerializer, Immutable, Alias("zt.QueueStats")]
public sealed record QueueStats
{
    [Id(0)] public required string Queue { get; init; }
    [Id(1)] public int Waiting { get; init; }
    [Id(2)] public int Delayed { get; init; }
    [Id(3)] public int Active { get; init; }
    [Id(4)] public int Completed { get; init; }
    [Id(5)] public int Failed { get; init; }
    [Id(6)] public int Cancelled { get; init; }
    [Id(7)] public bool Paused { get; init; }

    /// <summary>Transitions counted since the queue's activation (each event once; the meter has the process totals).</summary>
    [Id(8)] public QueueCounters Counters { get; init; } = new();

    /// <summary>Registrations of clients awaiting a job's result (<see cref="IQueueGrain.WatchJob"/>).</summary>
    [Id(9)] public int Watchers { get; init; }

    /// <summary>The queue's limits on job starts, when it has any (<see cref="JobOptions.GlobalConcurrency"/>,
    /// <see cref="JobOptions.RateLimit"/>, <see cref="JobOptions.GroupConcurrency"/>) or jobs in groups.</summary>
    [Id(10)] public QueueLimits? Limits { get; init; }

    /// <summary>Flows' parents waiting for their children.</summary>
    [Id(11)] public int WaitingChildren { get; init; }

    /// <summary>When the job that has waited longest became waiting (enqueued, or back after a delay, a retry's backoff or a
    /// stall), to the second; null when no job waits. Read from the queue's index, not from the job store.</summary>
    [Id(12)] public DateTimeOffset? OldestWaitingSince { get; init; }

    /// <summary>How long that job has waited, on the queue's clock when the stats were taken; null when no job waits.</summary>
    [Id(13)] public TimeSpan? OldestWaitingAge { get; init; }

    /// <summary>The queue's partition count (<see cref="JobOptions.Partitions"/>); the counts above are summed over them when read
    /// through <see cref="QueuePartitions"/>, one partition's own when read from a partition grain.</summary>
    [Id(14)] public int Partitions { get; init; } = 1;
}

/// <summary>A queue's limits on job starts, and whether the rate limit holds jobs back now.</summary>
[GenerateSerializer, Immutable, Alias("zt.QueueLimits")]
public sealed record QueueLimits
{
    [Id(0)] public int? GlobalConcurrency { get; init; }
    [Id(1)] public RateLimit? RateLimit { get; init; }

    /// <summary>While the rate window is full: when it reopens.</summary>
    [Id(2)] public DateTimeOffset? RateLimitedUntil { get; init; }

    [Id(3)] public int? GroupConcurrency { get; init; }

    /// <summary>Groups with jobs waiting or running now.</summary>
    [Id(4)] public int Groups { get; init; }
}

[GenerateSerializer, Immutable, Alias("zt.QueueCounters")]
public sealed record QueueCounters
{
    [Id(0)] public long Enqueued { get; init; }
    [Id(1)] public long Completed { get; init; }
    [Id(2)] public long Retried { get; init; }
    [Id(3)] public long DeadLettered { get; init; }
    [Id(4)] public long Stalled { get; init; }
    [Id(5)] public long Cancelled { get; init; }
    [Id(6)] public DateTimeOffset Since { get; init; }

    /// <summary>Dead-lettered jobs deleted because the dead-letter set was over <see cref="JobOptions.MaxDeadLetters"/>.</summary>
    [Id(7)] public long DeadLettersDropped { get; init; }

    /// <summary>Enqueued jobs refused with <c>QUEUE_FULL</c>.</summary>
    [Id(8)] public long Refused { get; init; }
}

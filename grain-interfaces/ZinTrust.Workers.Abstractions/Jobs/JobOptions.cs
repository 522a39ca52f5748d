namespace ZinTrust.Workers.Abstractions;

/// <summary>A worker's job policy: the defaults its queue applies to every job it has not overridden.</summary>
[GenerateSerializer, Immutable, Alias("zt.JobOptions")]
public sealed record JobOptions
{
    /// <summary>Attempts in total (the first run included). Default: WORKER_RETRIES (3).</summary>
    [Id(0)] public int Attempts { get; init; } = 3;

    /// <summary>Backoff between attempts. Default: exponential from 1 s.</summary>
    [Id(1)] public BackoffOptions Backoff { get; init; } = BackoffOptions.Default;

    /// <summary>Per-attempt timeout; the processor's token fires when it passes. Default: WORKER_TIMEOUT (60 s).</summary>
    [Id(2)] public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many lease expiries (stalls) a job survives; one more moves it to the dead-letter set with reason <c>stalled</c>. Default: 1.</summary>
    [Id(3)] public int MaxStalls { get; init; } = 1;

    /// <summary>How long a lease lasts before it must be renewed. Default: 30 s.</summary>
    [Id(4)] public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Completed and cancelled jobs kept for status queries: 0 keeps none, N keeps the last N. Default: 1000.</summary>
    [Id(5)] public int RetainCompleted { get; init; } = 1000;

    /// <summary>Priority for jobs enqueued without one. Default: WORKER_PRIORITY (1, Normal).</summary>
    [Id(6)] public int DefaultPriority { get; init; } = JobPriority.Normal;

    /// <summary>
    /// How long an idempotency key is remembered after the job it created, whether or not retention still keeps that job.
    /// Within it, the same key returns the same job id (and a different body with the same key is refused). Default: 24 h.
    /// </summary>
    [Id(7)] public TimeSpan IdempotencyTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Back-pressure: enqueues are refused with <c>QUEUE_FULL</c> while the queue holds this many jobs that have not run yet
    /// (waiting and delayed). Null: no limit (the default). Retries and hand-backs of jobs already in the queue are never refused.
    /// </summary>
    [Id(8)] public int? MaxWaiting { get; init; }

    /// <summary>Dead-lettered jobs kept; past it the oldest are deleted and counted. Default: 10000.</summary>
    [Id(9)] public int MaxDeadLetters { get; init; } = 10_000;

    /// <summary>At most this many of the queue's jobs run at once across the whole cluster, whatever the replicas and their
    /// concurrency (the queue grant leases up to it). Null: no limit beyond the replicas' own (the default).</summary>
    [Id(10)] public int? GlobalConcurrency { get; init; }

    /// <summary>At most <see cref="RateLimit.Max"/> job starts per <see cref="RateLimit.Duration"/> across the whole cluster (a
    /// sliding window over the leases the queue grants); jobs past it wait, they do not fail. Null: no limit (the default).</summary>
    [Id(11)] public RateLimit? RateLimit { get; init; }

    /// <summary>At most this many jobs of one group (<see cref="EnqueueRequest.Group"/>) run at once across the whole cluster;
    /// jobs without a group are not bound by it. Null: no per-group limit (the default; groups still take turns).</summary>
    [Id(12)] public int? GroupConcurrency { get; init; }

    /// <summary>
    /// How many partitions the queue has (1..<see cref="QueuePartitions.Max"/>): each is a queue grain of its own with its own
    /// store keys, so one queue's work spreads over several silos (and Redis Cluster shards). 1 (the default) is one grain, as a
    /// queue always was. Fixed while the queue holds jobs: changing it is refused (<c>PARTITIONS_LOCKED</c>) unless every
    /// partition is empty. Priorities and FIFO hold within a partition, not across partitions; with more than one partition,
    /// <see cref="GlobalConcurrency"/> and <see cref="RateLimit"/> are refused (one grain enforces them), and
    /// <see cref="MaxWaiting"/>, <see cref="RetainCompleted"/> and <see cref="MaxDeadLetters"/> are shared out: each partition
    /// applies its ceiling share (see <see cref="QueuePartitions.Share"/>).
    /// </summary>
    [Id(13)] public int Partitions { get; init; } = 1;
}

/// <summary>A rate of job starts: at most <see cref="Max"/> in any <see cref="Duration"/>.</summary>
[GenerateSerializer, Immutable, Alias("zt.RateLimit")]
public sealed record RateLimit
{
    [Id(0)] public required int Max { get; init; }
    [Id(1)] public required TimeSpan Duration { get; init; }
}

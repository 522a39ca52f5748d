namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Everything known about one job. Immutable: every change produces a new record (<c>with</c>), and the job
/// store persists whole records, so a record read back after a crash is exactly one that was written.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.JobRecord")]
public sealed record JobRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Queue { get; init; }

    /// <summary>The payload as JSON text.</summary>
    [Id(2)] public string Payload { get; init; } = "null";
    [Id(3)] public int Priority { get; init; } = JobPriority.Normal;
    [Id(4)] public JobState State { get; init; }

    /// <summary>Queue-wide enqueue order; FIFO within one priority.</summary>
    [Id(5)] public long Sequence { get; init; }

    /// <summary>Attempts started so far (the running one included).</summary>
    [Id(6)] public int Attempt { get; init; }
    [Id(7)] public int MaxAttempts { get; init; } = 1;
    [Id(8)] public BackoffOptions Backoff { get; init; } = BackoffOptions.Default;
    [Id(9)] public TimeSpan Timeout { get; init; }
    [Id(10)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a delayed job becomes due.</summary>
    [Id(11)] public DateTimeOffset? RunAt { get; init; }
    [Id(12)] public DateTimeOffset? StartedAt { get; init; }
    [Id(13)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The processor's result as JSON text.</summary>
    [Id(14)] public string? Result { get; init; }
    [Id(15)] public string? Error { get; init; }

    /// <summary>Why the job is in the dead-letter set or cancelled; one of <see cref="JobFailureReasons"/>.</summary>
    [Id(16)] public string? FailureReason { get; init; }
    [Id(17)] public int Progress { get; init; }

    /// <summary>
    /// The fencing token of the current lease: greater than every token the job had before, never reused. Tokens have a
    /// time-based floor (microseconds of the queue's clock), so they keep growing even when the store lost its last writes.
    /// </summary>
    [Id(18)] public long LeaseToken { get; init; }
    [Id(19)] public string? LeaseOwner { get; init; }
    [Id(20)] public DateTimeOffset? LeaseDeadline { get; init; }
    [Id(21)] public int Stalls { get; init; }
    [Id(22)] public string? IdempotencyKey { get; init; }
    [Id(23)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(24)] public string? Name { get; init; }
    [Id(25)] public int MaxStalls { get; init; } = 1;

    /// <summary>A fingerprint of the enqueue request (for <see cref="IdempotencyKey"/>: the same key with another body is refused).</summary>
    [Id(26)] public long IdempotencyFingerprint { get; init; }

    /// <summary>Until when <see cref="IdempotencyKey"/> is remembered, even after retention deleted the job.</summary>
    [Id(27)] public DateTimeOffset? IdempotencyExpiresAt { get; init; }

    /// <summary>The job's envelope (<see cref="EnqueueRequest.Headers"/>); null when it has none.</summary>
    [Id(28)] public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The worker version of the replica that took the job's latest lease (null before its first, or from a replica of
    /// a release that did not say).</summary>
    [Id(29)] public string? WorkerVersion { get; init; }

    /// <summary>The job's group (<see cref="EnqueueRequest.Group"/>); null when it has none.</summary>
    [Id(30)] public string? Group { get; init; }

    /// <summary>The lines the processor logged (<see cref="JobContext.Log"/>), oldest first, every attempt's; at most
    /// <see cref="JobLogLine.MaxLines"/>, the oldest dropped first (<see cref="LogsDropped"/> counts them). Null: none.</summary>
    [Id(31)] public IReadOnlyList<JobLogLine>? Logs { get; init; }

    /// <summary>Log lines dropped because the job had <see cref="JobLogLine.MaxLines"/> already.</summary>
    [Id(32)] public int LogsDropped { get; init; }

    /// <summary>The job's place in a flow (its parent, or the children it waits for); null for a job in none, which is most:
    /// one field, so a record outside flows carries a single null for all of it.</summary>
    [Id(33)] public FlowState? Flow { get; init; }

    /// <summary>The flow's parent this job is a child of (told when this job settles); null when it is none's child.</summary>
    public FlowRef? Parent => Flow?.Parent;

    /// <summary>A flow's parent: how many children it waits for (0: not a parent).</summary>
    public int ChildrenExpected => Flow?.ChildrenExpected ?? 0;

    /// <summary>A flow's parent: its children's outcomes as they settled, in index order (each child once).</summary>
    public IReadOnlyList<ChildOutcome>? Children => Flow?.Children;

    /// <summary>A flow's parent: what a failed (dead-lettered or cancelled) child does to it.</summary>
    public ChildFailurePolicy OnChildFailure => Flow?.OnChildFailure ?? ChildFailurePolicy.Fail;

    /// <summary>A child: its parent has been told how it settled.</summary>
    public bool ParentNotified => Flow?.ParentNotified ?? false;
}

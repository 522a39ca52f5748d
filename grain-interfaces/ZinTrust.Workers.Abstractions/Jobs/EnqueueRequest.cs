namespace ZinTrust.Workers.Abstractions;

/// <summary>One job to enqueue. Unset options fall back to the queue's policy.</summary>
[GenerateSerializer, Immutable, Alias("zt.EnqueueRequest")]
public sealed record EnqueueRequest
{
    /// <summary>The payload as JSON text.</summary>
    [Id(0)] public string Payload { get; init; } = "null";
    [Id(1)] public int? Priority { get; init; }

    /// <summary>Run no earlier than now + delay.</summary>
    [Id(2)] public TimeSpan? Delay { get; init; }

    /// <summary>
    /// The same key returns the same job id for the queue's <see cref="JobOptions.IdempotencyTtl"/> after the job was created
    /// (and for as long as the job is retained); the same key with a different body is refused (<c>IDEMPOTENCY_KEY_REUSED</c>).
    /// </summary>
    [Id(3)] public string? IdempotencyKey { get; init; }
    [Id(4)] public int? Attempts { get; init; }
    [Id(5)] public BackoffOptions? Backoff { get; init; }
    [Id(6)] public TimeSpan? Timeout { get; init; }
    [Id(7)] public string? Name { get; init; }

    /// <summary>How long <see cref="IdempotencyKey"/> is remembered from now (1 s to 30 days); null: the queue's
    /// <see cref="JobOptions.IdempotencyTtl"/>. A key that only guards retries of this call needs no more than the retries take.</summary>
    [Id(8)] public TimeSpan? IdempotencyTtl { get; init; }

    /// <summary>
    /// The job's envelope: metadata that travels with it from enqueue through the store to the processor
    /// (<see cref="JobContext.Headers"/>), such as W3C trace context (<c>traceparent</c>, <c>tracestate</c>). Names are lower-case
    /// letters, digits, '.', '_' and '-' (at most 64); see <see cref="JobHeaders"/> for the limits. Not part of the body an
    /// idempotency key is checked against.
    /// </summary>
    [Id(9)] public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Run no earlier than this time, by the queue's clock (a time already past runs now); instead of
    /// <see cref="Delay"/>, when a job belongs to a moment rather than to "in N seconds" (the client's clock plays no part).</summary>
    [Id(10)] public DateTimeOffset? RunAt { get; init; }

    /// <summary>
    /// The job's group (a tenant, a customer, an account: 1 to 128 printable characters). The queue leases round-robin between
    /// its groups, so one group's backlog does not starve another's jobs, and runs at most <see cref="JobOptions.GroupConcurrency"/>
    /// jobs of one group at once across the cluster. Null: the job belongs to no group (all such jobs share one turn in the rotation).
    /// </summary>
    [Id(11)] public string? Group { get; init; }

    /// <summary>The flow's parent of this job (set by <see cref="JobFlows"/>, which creates flows); null: no parent.</summary>
    [Id(12)] public FlowRef? Parent { get; init; }

    /// <summary>How many children this job waits for (set by <see cref="JobFlows"/>); 0: none, the job runs as usual.</summary>
    [Id(13)] public int Children { get; init; }

    /// <summary>With <see cref="Children"/>: what a failed child does to this job.</summary>
    [Id(14)] public ChildFailurePolicy OnChildFailure { get; init; }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Per-job options; unset ones follow the queue's policy.</summary>
public sealed record JobEnqueueOptions
{
    public int? Priority { get; init; }
    public TimeSpan? Delay { get; init; }

    /// <summary>Run no earlier than this time, by the queue's clock (instead of <see cref="Delay"/>).</summary>
    public DateTimeOffset? RunAt { get; init; }
    public string? IdempotencyKey { get; init; }

    /// <summary>How long <see cref="IdempotencyKey"/> is remembered (1 s to 30 days); unset: the queue's policy (24 h by default).</summary>
    public TimeSpan? IdempotencyTtl { get; init; }
    public int? Attempts { get; init; }
    public BackoffOptions? Backoff { get; init; }
    public TimeSpan? Timeout { get; init; }
    public string? Name { get; init; }

    /// <summary>The job's envelope: string headers the processor sees (<see cref="JobContext.Headers"/>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The job's group (a tenant, an account): the queue's groups take turns, and its
    /// <see cref="JobOptions.GroupConcurrency"/> bounds each one.</summary>
    public string? Group { get; init; }
}

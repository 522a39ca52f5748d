using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Per-job options; unset ones follow the queue's policy.</summary>
public sealed record JobEnqueueOptions
{
    public int? Priority { get; init; }
    public TimeSpan? Delay { get; init; }
    public string? IdempotencyKey { get; init; }
    public int? Attempts { get; init; }
    public BackoffOptions? Backoff { get; init; }
    public TimeSpan? Timeout { get; init; }
    public string? Name { get; init; }
}

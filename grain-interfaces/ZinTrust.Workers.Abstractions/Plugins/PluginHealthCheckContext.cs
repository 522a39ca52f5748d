namespace ZinTrust.Workers.Abstractions;

/// <summary>One run of a worker's health check on one replica.</summary>
public sealed record PluginHealthCheckContext
{
    public required string WorkerName { get; init; }

    public required string ReplicaId { get; init; }

    public required string Silo { get; init; }

    /// <summary>The check's answer (a check that threw or timed out is unhealthy, with the reason as message).</summary>
    public required HealthCheckOutcome Outcome { get; init; }

    public DateTimeOffset CheckedAt { get; init; }
}

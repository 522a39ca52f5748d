namespace ZinTrust.Workers.Abstractions;

/// <summary>One run of a worker's health check: on one replica (a registered check), or by the worker itself (a declared HTTP
/// or TCP check, run once per worker on the silo hosting its grain).</summary>
public sealed record PluginHealthCheckContext
{
    public required string WorkerName { get; init; }

    /// <summary>The replica that ran the check; the worker's name for a check the worker runs itself.</summary>
    public required string ReplicaId { get; init; }

    public required string Silo { get; init; }

    /// <summary>The check's answer (a check that threw or timed out is unhealthy, with the reason as message).</summary>
    public required HealthCheckOutcome Outcome { get; init; }

    public DateTimeOffset CheckedAt { get; init; }
}

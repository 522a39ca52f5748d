namespace ZinTrust.Workers.Abstractions;

/// <summary>An optional health check for a worker (for example: can the processor reach its mail server?).
/// Runs every WORKER_HEALTH_CHECK_INTERVAL on each running replica.</summary>
public interface IWorkerHealthCheck
{
    Task<HealthCheckOutcome> CheckAsync(string workerName, CancellationToken cancellationToken);
}

/// <summary>A health check's answer.</summary>
public sealed record HealthCheckOutcome(bool Healthy, string? Message = null)
{
    public static HealthCheckOutcome Ok { get; } = new(true);
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>An optional health check for a worker (for example: can the processor reach its mail server?), registered under
/// the worker's name or a name a definition or version declares. Runs every WORKER_HEALTH_CHECK_INTERVAL (or the declared
/// check's interval) on each running replica; declared, its consecutive failures mark the worker failed.</summary>
public interface IWorkerHealthCheck
{
    Task<HealthCheckOutcome> CheckAsync(string workerName, CancellationToken cancellationToken);
}

/// <summary>A health check's answer.</summary>
public sealed record HealthCheckOutcome(bool Healthy, string? Message = null)
{
    public static HealthCheckOutcome Ok { get; } = new(true);
}

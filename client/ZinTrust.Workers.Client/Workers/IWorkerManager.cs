using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Manages workers from another .NET application.</summary>
public interface IWorkerManager
{
    /// <summary>Creates a worker (stopped). Throws WORKER_EXISTS when one with this name exists.</summary>
    Task<WorkerInfo> CreateAsync(WorkerDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>Creates the worker when none has this name; otherwise returns the stored one unchanged.</summary>
    Task<WorkerInfo> RegisterAsync(WorkerDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>Applies a partial update; concurrency reaches running replicas without a restart.</summary>
    Task<WorkerInfo> UpdateAsync(string name, WorkerUpdate update, CancellationToken cancellationToken = default);

    /// <summary>The worker's definition and status; null when there is none.</summary>
    Task<WorkerInfo?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stops the worker (draining) and deletes it. Throws WORKER_NOT_FOUND when there is none.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WorkerIndexEntry>> ListAsync(bool includeInactive = false, CancellationToken cancellationToken = default);

    Task<WorkerInfo> StartAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Graceful stop: in-flight jobs finish, or go back to the queue after the worker's drain timeout.</summary>
    Task<WorkerInfo> StopAsync(string name, CancellationToken cancellationToken = default);

    Task<WorkerInfo> RestartAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The worker's live status: lifecycle, replicas, queue depth, counters.</summary>
    Task<WorkerStatusReport> GetStatusAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Registers a version without running it. Throws VERSION_EXISTS when the number is taken.</summary>
    Task<WorkerVersionSpec> RegisterVersionAsync(string name, WorkerVersionSpec version, CancellationToken cancellationToken = default);

    /// <summary>The registered versions, the active one and the last rolling update.</summary>
    Task<WorkerVersionList> ListVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Activates a registered version by a rolling update (an older one is the rollback); returns once every replica
    /// runs it. Throws VERSION_NOT_FOUND, PROCESSOR_NOT_ON_EVERY_SILO, or VERSION_ROLLOUT_FAILED (then the worker is back on the
    /// version it ran).</summary>
    Task<WorkerInfo> ActivateVersionAsync(string name, string version, CancellationToken cancellationToken = default);

    /// <summary>Starts a canary of a registered version (a traffic split by job id, stepped up to 100 %, rolled back on its own
    /// when it falls behind). Throws CANARY_ACTIVE, VERSION_NOT_FOUND, INVALID_CANARY.</summary>
    Task<CanaryStatus> StartCanaryAsync(string name, CanaryRequest request, CancellationToken cancellationToken = default);

    /// <summary>The worker's canary (the last one once it ended); null when it never had one.</summary>
    Task<CanaryStatus?> GetCanaryAsync(string name, CancellationToken cancellationToken = default);

    Task<CanaryStatus> PauseCanaryAsync(string name, CancellationToken cancellationToken = default);

    Task<CanaryStatus> ResumeCanaryAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>All traffic back to the stable version; the canary's replicas drained and stopped.</summary>
    Task<CanaryStatus> RollbackCanaryAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Promotes the canary now: the stable replicas roll to its version.</summary>
    Task<CanaryStatus> CompleteCanaryAsync(string name, CancellationToken cancellationToken = default);
}

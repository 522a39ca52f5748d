using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>One worker (key: its name): definition, lifecycle, replica supervision.</summary>
// v2: versions (RegisterVersion, ListVersions, ActivateVersion) and SetCanary. v3: regions (SetPlacement, SetFailover,
// MoveToRegion, GetRegionStatus). v4: SetMonitoring. v5: GetMetrics.
[Alias("zt.IWorkerGrain"), Orleans.CodeGeneration.Version(5)]
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Creates the worker (stopped). Throws WORKER_EXISTS when it exists.</summary>
    [Alias("Create")]
    Task<WorkerInfo> Create(WorkerDefinition definition);

    /// <summary>Creates the worker when it does not exist; returns the stored one otherwise.</summary>
    [Alias("Register")]
    Task<WorkerInfo> Register(WorkerDefinition definition);

    /// <summary>Applies a partial update. Concurrency reaches running replicas without a restart.</summary>
    [Alias("Update")]
    Task<WorkerInfo> Update(WorkerUpdate update);

    /// <summary>Stops the worker and deletes it.</summary>
    [Alias("Delete")]
    Task Delete();

    // Reads interleave: a status query must not wait behind a stop that is draining jobs.
    [AlwaysInterleave, Alias("Get")]
    Task<WorkerInfo?> Get();

    [Alias("Start")]
    Task<WorkerInfo> Start();

    /// <summary>Graceful stop: replicas stop leasing, in-flight jobs finish or go back to the queue after the drain timeout.</summary>
    [Alias("Stop")]
    Task<WorkerInfo> Stop();

    [Alias("Restart")]
    Task<WorkerInfo> Restart();

    /// <summary>Replicas stay up but take no new jobs; jobs already running finish. Idempotent; kept across restarts.</summary>
    [Alias("Pause")]
    Task<WorkerInfo> Pause();

    [Alias("Resume")]
    Task<WorkerInfo> Resume();

    /// <summary>The recorded versions of the definition, oldest first (bounded).</summary>
    [AlwaysInterleave, Alias("GetVersions")]
    Task<IReadOnlyList<WorkerVersionRecord>> GetVersions();

    /// <summary>Registers a version without running it. VERSION_EXISTS when it is registered; INVALID_VERSION and the usual
    /// field codes when it is not valid.</summary>
    [Alias("RegisterVersion")]
    Task<WorkerVersionSpec> RegisterVersion(WorkerVersionSpec version);

    /// <summary>The registered versions, the active one and the last rolling update.</summary>
    [AlwaysInterleave, Alias("ListVersions")]
    Task<WorkerVersionList> ListVersions();

    /// <summary>
    /// Makes a registered version active: a running worker moves to it by a rolling update (one replica at a time, each drained
    /// before its successor starts); an older version is a rollback. VERSION_NOT_FOUND; PROCESSOR_NOT_ON_EVERY_SILO when a live
    /// silo cannot run its processor; VERSION_ROLLOUT_FAILED when a new replica did not start (the worker is back on the old
    /// version, the reason recorded in the rollout).
    /// </summary>
    [Alias("ActivateVersion")]
    Task<WorkerInfo> ActivateVersion(string version);

    /// <summary>Runs (or resizes, or with a null version stops, draining) the worker's canary replica set: replicas
    /// <c>{worker}@canary/{n}</c> running a registered version beside the stable ones. Called by the worker's canary.</summary>
    [Alias("SetCanary")]
    Task SetCanary(string? version, int replicas);

    /// <summary>Monitoring samples in [from, to] (either open), oldest first; held in memory, at most a day's worth.</summary>
    [AlwaysInterleave, Alias("GetMonitoringHistory")]
    Task<IReadOnlyList<WorkerMonitoringSample>> GetMonitoringHistory(DateTimeOffset? from, DateTimeOffset? to, int limit);

    /// <summary>
    /// Starts (true) or stops (false) the worker's health monitoring: the samples of its history, its health score and the
    /// health policy that acts on the score. Kept in the worker's state (so across restarts and moves); idempotent. Stopping
    /// keeps the samples taken so far and clears the score; starting takes a sample at once when the worker runs.
    /// </summary>
    [Alias("SetMonitoring")]
    Task<WorkerInfo> SetMonitoring(bool enabled);

    /// <summary>The latest health score (null when not running, not sampled yet or not monitored); no calls to replicas.</summary>
    [AlwaysInterleave, Alias("GetHealthScore")]
    Task<WorkerHealthScore?> GetHealthScore();

    [AlwaysInterleave, Alias("GetStatus")]
    Task<WorkerStatusReport> GetStatus();

    /// <summary>
    /// The worker's durable metrics: per hour, day or month (UTC), the newest <paramref name="limit"/> buckets it keeps (oldest
    /// first), each with its counters and run-time percentiles. Kept in grain storage beside the worker's state; no calls to
    /// replicas. WORKER_NOT_FOUND.
    /// </summary>
    [AlwaysInterleave, Alias("GetMetrics")]
    Task<WorkerMetricsHistory> GetMetrics(WorkerMetricsPeriod period, int limit);

    /// <summary>Re-asserts the running replicas (re-activating any lost with its silo). Idempotent.</summary>
    [Alias("Supervise")]
    Task Supervise();

    /// <summary>The worker's circuit changed: open stops leasing, half-open lets the trials through, closed restores.</summary>
    [OneWay, Alias("OnCircuitChanged")]
    Task OnCircuitChanged(CircuitState state, int halfOpenAttempts);

    /// <summary>The worker's circuit (state, counters, transitions); closed with no history when it has none.</summary>
    [AlwaysInterleave, Alias("GetCircuit")]
    Task<CircuitSnapshot> GetCircuit();

    /// <summary>Operator: reset (close) or trip (open) the worker's circuit.</summary>
    [Alias("SetCircuit")]
    Task<CircuitSnapshot> SetCircuit(bool open);

    /// <summary>Places the worker's replicas in a region (null: anywhere); running replicas move there (the new ones start,
    /// then the old ones drain). REGION_NOT_FOUND; INVALID_PLACEMENT (also when it contradicts the failover policy's primary).</summary>
    [Alias("SetPlacement")]
    Task<WorkerInfo> SetPlacement(WorkerPlacement? placement, string? by);

    /// <summary>Sets (null: removes) the failover policy; the worker is placed in its primary region unless it runs in the
    /// secondary after a failover. REGION_NOT_FOUND; INVALID_FAILOVER_POLICY.</summary>
    [Alias("SetFailover")]
    Task<WorkerInfo> SetFailover(FailoverPolicy? policy, string? by);

    /// <summary>Moves the running replicas to <paramref name="region"/> (failover or fail-back; called by the failover grain),
    /// recording the move and telling the plugins.</summary>
    [Alias("MoveToRegion")]
    Task<WorkerInfo> MoveToRegion(string region, string kind, string reason);

    /// <summary>The placement, failover policy, the region the replicas run in and the last moves.</summary>
    [AlwaysInterleave, Alias("GetRegionStatus")]
    Task<WorkerRegionStatus> GetRegionStatus();

    /// <summary>A replica reports its latest health-check result.</summary>
    // Interleaves: it only replaces the in-memory health summary.
    [AlwaysInterleave, Alias("ReportHealth")]
    Task ReportHealth(WorkerHealth health);
}

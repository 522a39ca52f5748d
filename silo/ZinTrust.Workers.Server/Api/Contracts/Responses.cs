using System.Text.Json;

namespace ZinTrust.Workers.Server;

public sealed record WorkerResponse(
    string Name,
    string QueueName,
    string Version,
    string Status,
    int Concurrency,
    string Processor,
    bool? AutoStart,
    bool ActiveStatus,
    int Replicas,
    long DrainTimeoutMs,
    JobOptionsResponse JobOptions,
    IReadOnlyDictionary<string, bool> Features,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    string? LastError,
    HealthResponse Health,
    long Generation,
    string? PersistenceDriver,
    bool Paused,
    CircuitOptionsResponse CircuitBreaker,
    HealthPolicyResponse HealthPolicy,
    AutoScalingResponse AutoScaling,
    string? Region,
    PlacementResponse? Placement,
    FailoverPolicyResponse? Failover,
    string? PlacedIn,
    IReadOnlyList<WorkerQueueResponse>? Queues = null,
    ProcessorSpecResponse? ProcessorSpec = null,
    bool Monitoring = true,
    HealthCheckResponse? HealthCheck = null,
    WorkerFailureResponse? Failure = null);

/// <summary>A worker's declared health check: kind (registered | http | tcp), its target, timeout, interval (null: the silo's
/// WORKER_HEALTH_CHECK_INTERVAL) and the failures in a row that mark the worker failed.</summary>
public sealed record HealthCheckResponse(string Kind, string? Name, string? Url, int? ExpectStatus, string? Host, int? Port, long TimeoutMs, long? IntervalMs, int FailureThreshold);

/// <summary>Why and since when a worker is failed: code (HEALTH_CHECK_FAILED, WORKER_START_FAILED, PROCESSOR_NOT_FOUND…), reason, at.</summary>
public sealed record WorkerFailureResponse(string Code, string Reason, DateTimeOffset At);

/// <summary>A worker's processor spec: where its assembly comes from, the digest it must have, the class it names (if any).</summary>
public sealed record ProcessorSpecResponse(string? Path, string? Url, string Sha256, string? Type);

/// <summary>One queue of a multi-queue worker and its weight.</summary>
public sealed record WorkerQueueResponse(string Name, int Weight);

public sealed record JobOptionsResponse(
    int Attempts,
    BackoffResponse Backoff,
    long TimeoutMs,
    int MaxStalls,
    long LeaseMs,
    int RetainCompleted,
    int Priority,
    long IdempotencyTtlMs,
    int? MaxWaiting,
    int MaxDeadLetters,
    int? GlobalConcurrency,
    RateLimitResponse? RateLimit,
    int? GroupConcurrency = null,
    int Partitions = 1);

public sealed record RateLimitResponse(int Max, long DurationMs);

public sealed record BackoffResponse(string Type, long DelayMs, double Jitter, long MaxDelayMs);

/// <summary>The latest health-check result: healthy, its message, when, where it ran (a replica's id, or the worker's name for an
/// HTTP or TCP check the worker runs itself) and that source's failures in a row as counted for failure detection.</summary>
public sealed record HealthResponse(bool? Healthy, string? Message, DateTimeOffset? CheckedAt, string? Source = null, int ConsecutiveFailures = 0);

public sealed record WorkerListItem(string Name, string QueueName, string Version, string Status, bool ActiveStatus, int Concurrency, bool? AutoStart, DateTimeOffset UpdatedAt, string? Region, WorkerFailureResponse? Failure = null);

public sealed record PaginationResponse(int Page, int Limit, int Total, int TotalPages, bool HasNext, bool HasPrev);

public sealed record WorkerListResponse(IReadOnlyList<WorkerListItem> Workers, PaginationResponse Pagination);

public sealed record ReplicaResponse(string Id, string State, string? Silo, int Concurrency, int InFlight, long Completed, long Failed, string? LastError);

/// <summary>A queue's depth by state; <c>oldestWaitingSince</c> / <c>oldestWaitingAgeSeconds</c>: when the job waiting longest became
/// waiting and how long ago (null when none waits).</summary>
public sealed record QueueStatsResponse(string Queue, bool Paused, int Waiting, int Delayed, int Active, int Completed, int Failed, int Cancelled, QueueCountersResponse Counters, QueueLimitsResponse? Limits = null, int WaitingChildren = 0, DateTimeOffset? OldestWaitingSince = null, double? OldestWaitingAgeSeconds = null, int Partitions = 1);

/// <summary>A queue's limits on job starts (globalConcurrency, rateLimit, groupConcurrency), while the rate window is full when
/// it reopens, and how many groups have jobs waiting or running.</summary>
public sealed record QueueLimitsResponse(int? GlobalConcurrency, RateLimitResponse? RateLimit, DateTimeOffset? RateLimitedUntil, int? GroupConcurrency = null, int Groups = 0);

/// <summary>Transitions since the queue's activation, each event counted once.</summary>
public sealed record QueueCountersResponse(long Enqueued, long Completed, long Retried, long DeadLettered, long Stalled, long Cancelled, DateTimeOffset Since);

public sealed record WorkerStatusResponse(
    string Name,
    string Status,
    string Version,
    string QueueName,
    int Concurrency,
    long Completed,
    long Failed,
    double? SuccessRate,
    double AverageDurationMs,
    int InFlight,
    HealthResponse Health,
    string? LastError,
    IReadOnlyList<ReplicaResponse> Replicas,
    QueueStatsResponse? Queue,
    int? HealthScore,
    string? HealthState,
    bool Paused,
    WorkerFailureResponse? Failure = null);

public sealed record JobResponse(
    string Id,
    string Queue,
    string? Name,
    string State,
    int Priority,
    int Attempts,
    int MaxAttempts,
    int Progress,
    JsonElement Payload,
    JsonElement? Result,
    string? Error,
    string? FailureReason,
    int Stalls,
    string? IdempotencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RunAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset UpdatedAt,
    long LeaseToken,
    IReadOnlyDictionary<string, string>? Headers,
    string? Version,
    string? Group = null,
    int LogLines = 0,
    FlowParentResponse? Parent = null,
    int ChildrenExpected = 0,
    IReadOnlyList<ChildOutcomeResponse>? Children = null);

/// <summary>A flow's parent as its child knows it.</summary>
public sealed record FlowParentResponse(string Queue, string Id, int Index);

/// <summary>How one child of a flow's parent settled.</summary>
public sealed record ChildOutcomeResponse(int Index, string Queue, string Id, string State, JsonElement? Result, string? Error, DateTimeOffset SettledAt, bool ResultOmitted);

/// <summary>A created flow (POST /api/flows): each job's queue and id, in the flow's shape; created is false for a job an
/// earlier call with the same idempotency key created.</summary>
public sealed record FlowResponse(string Id, string Queue, bool Created, IReadOnlyList<FlowResponse> Children);

/// <summary>A job's log (<c>GET /api/queues/{queue}/jobs/{id}/logs</c>): its lines oldest first, and how many older ones were
/// dropped past the bound.</summary>
public sealed record JobLogsResponse(string Id, string Queue, IReadOnlyList<JobLogLineResponse> Lines, int Dropped);

public sealed record JobLogLineResponse(DateTimeOffset Time, int Attempt, string Message);

/// <summary>One job event of <c>GET /api/events</c> (the SSE data).</summary>
public sealed record JobEventResponse(
    string Kind,
    string JobId,
    string Queue,
    string? From,
    string? To,
    DateTimeOffset At,
    int Attempt,
    long LeaseToken,
    string? Replica,
    string? Worker,
    string? Reason,
    string? Error,
    int Progress);

public sealed record EnqueueResponse(string Id, string Queue, string State, bool Created);

public sealed record EnqueueBatchResponse(int Count, IReadOnlyList<EnqueueResponse> Jobs);

public sealed record WorkerActionResponse(bool Ok, string Message, WorkerResponse Worker);

public sealed record AutoScalingResponse(int MinReplicas, int MaxReplicas, int ScaleUpThreshold, int ScaleDownThreshold, long CooldownMs);

public sealed record ScalingDecisionResponse(string Worker, DateTimeOffset At, int From, int To, string Reason, bool Applied, string Source, int Waiting, double Throughput, double CpuPercent);

public sealed record HealthPartsResponse(int Success, int Latency, int Check, int Circuit, int Stalls);

/// <summary>The health score (0–100) of the latest sampling window and its parts (see docs/operations.md, "Health score").</summary>
public sealed record HealthScoreResponse(int Score, string State, DateTimeOffset At, long Runs, double? BaselineMs, HealthPartsResponse Parts);

public sealed record HealthPolicyResponse(bool RestartWhenCritical, int CriticalSamples, int MaxRestarts, long RestartWindowMs, bool RestartWhenFailed = false);

public sealed record CircuitOptionsResponse(int FailureThreshold, long FailureWindowMs, long ResetTimeoutMs, int HalfOpenAttempts);

public sealed record CircuitTransitionResponse(string From, string To, DateTimeOffset At, string Reason);

public sealed record CircuitResponse(
    string Name,
    string State,
    CircuitOptionsResponse Options,
    int FailuresInWindow,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? RetryAt,
    int HalfOpenSuccesses,
    long Successes,
    long Failures,
    IReadOnlyList<CircuitTransitionResponse> Transitions);

/// <summary>
/// completed/failed/duration: attempts run by the current replicas (since they started); retried/deadLettered/stalled:
/// the queue's transitions since its activation; percentiles from exponential buckets (at most 25 % high).
/// </summary>
public sealed record WorkerMetricsResponse(
    string Name,
    long Completed,
    long Failed,
    double? SuccessRate,
    double AverageDurationMs,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    int InFlight,
    double? ThroughputPerMinute,
    long Retried,
    long DeadLettered,
    long Stalled,
    QueueStatsResponse? Queue);

public sealed record MonitoringSampleResponse(
    DateTimeOffset At,
    string Status,
    bool? Healthy,
    bool Paused,
    int Replicas,
    int InFlight,
    long Completed,
    long Failed,
    int Waiting,
    int Active,
    int DeadLettered,
    double AverageDurationMs,
    string Circuit,
    HealthScoreResponse? Health);

public sealed record WorkerVersionResponse(string Version, DateTimeOffset RecordedAt, string Reason, bool Current, WorkerVersionDefinition Definition);

/// <summary>A registered version (GET /api/workers/{name}/versions, and the answer to registering one).</summary>
public sealed record RegisteredVersionResponse(
    string Version, string? Description, string? Processor, int? Concurrency, JobOptionsResponse? JobOptions, string? HealthCheck, DateTimeOffset RegisteredAt, bool Active);

/// <summary>A rolling update: from, to, rolling | completed | rolledBack, replicas replaced so far, and why it rolled back.</summary>
public sealed record RolloutResponse(string From, string To, string State, int Replaced, int Replicas, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Reason);

/// <summary>One version's figures during a canary: counts since it started, error rate (0..1), p95 and mean run time (ms), health 0..100.</summary>
public sealed record CanaryVersionResponse(string Version, long Completed, long Failed, double ErrorRate, double? P95Ms, double? AverageMs, int Health);

public sealed record CanaryVersionsResponse(CanaryVersionResponse Stable, CanaryVersionResponse Canary);

public sealed record CanaryDecisionResponse(DateTimeOffset At, string Action, double FromPercent, double ToPercent, string Reason, string? By);

public sealed record CanarySettingsResponse(double Duration, bool AutoRollback, int SuccessThreshold, int RollbackThreshold, double ErrorMargin, int MinimumSamples);

/// <summary>A canary: state (running | paused | completed | rolledBack), traffic share, health (the canary's), step of steps, timing, each
/// version's figures, and its decisions with reasons.</summary>
public sealed record CanaryStatusResponse(
    bool Ok,
    string Worker,
    string StableVersion,
    string CanaryVersion,
    string State,
    double TrafficPercentage,
    int Health,
    int Step,
    IReadOnlyList<double> Steps,
    DateTimeOffset StartedAt,
    DateTimeOffset? NextStepAt,
    DateTimeOffset? FinishedAt,
    CanaryVersionsResponse Versions,
    IReadOnlyList<CanaryDecisionResponse> Decisions,
    CanarySettingsResponse Settings);

/// <summary>GET /api/workers/{name}/versions: the registered versions (oldest first), the active one, the last rollout, and the
/// history of the definition's versions (each change, oldest first).</summary>
public sealed record WorkerVersionsResponse(
    bool Ok, string Name, string Active, string Current, IReadOnlyList<RegisteredVersionResponse> Versions, RolloutResponse? Rollout, IReadOnlyList<WorkerVersionResponse> History);

public sealed record WorkerVersionDefinition(string QueueName, string Processor, int Concurrency, int Replicas, JobOptionsResponse JobOptions, IReadOnlyDictionary<string, bool> Features);

/// <summary>GET /api/workers/system/summary: workers by status (inactive counted apart) and the depth of their queues.</summary>
/// <para>averageHealth: the mean of running workers' latest health scores (0–100), null before any sample.
/// resources: the cluster's silos (CPU averaged, memory summed) from Orleans' runtime statistics.
/// costs: the resource monitor's estimate over the last 24 h; null when no unit price is configured.</para>
public sealed record SystemSummaryResponse(
    int Total,
    int Running,
    int Stopped,
    int Failed,
    int Transitioning,
    int Inactive,
    int Waiting,
    int Delayed,
    int Active,
    int DeadLettered,
    double? AverageHealth,
    ResourcesResponse? Resources,
    CostsSummaryResponse? Costs);

/// <summary>
/// The cluster's resources now: CPU, memory and activations from Orleans' statistics of the active silos; disk and network
/// throughput (bytes per second, summed over the silos) from the resource monitor's latest round, null while the monitor does
/// not run or the platform does not tell.
/// </summary>
public sealed record ResourcesResponse(
    int Silos,
    double CpuPercent,
    long MemoryUsedBytes,
    long MemoryTotalBytes,
    int Activations,
    double? DiskReadBytesPerSecond = null,
    double? DiskWriteBytesPerSecond = null,
    double? NetworkReceiveBytesPerSecond = null,
    double? NetworkTransmitBytesPerSecond = null);

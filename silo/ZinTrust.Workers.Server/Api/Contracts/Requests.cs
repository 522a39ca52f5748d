using System.Text.Json;

namespace ZinTrust.Workers.Server;

/// <summary>
/// The fields a worker's create (POST) and update (PATCH) share, declared once so a field means the same in both. Unknown
/// fields are rejected. On create an absent field takes its default; on update it keeps the current value.
/// </summary>
public abstract class WorkerFieldsRequest
{
    /// <summary>The worker's (primary) queue.</summary>
    public string? QueueName { get; init; }

    /// <summary>A multi-queue worker's queues with weights ([{"name", "weight"}]); queueName, when given, must be one of them,
    /// else the first is the worker's queue. On update [] makes it consume its queueName alone.</summary>
    public List<WorkerQueueRequest>? Queues { get; init; }

    public string? Version { get; init; }

    public int? Concurrency { get; init; }

    /// <summary>A registered processor's name; on update it drops a processor spec.</summary>
    public string? Processor { get; init; }

    public bool? ActiveStatus { get; init; }

    public JobOptionsRequest? JobOptions { get; init; }

    public Dictionary<string, bool>? Features { get; init; }

    public int? Replicas { get; init; }

    public int? DrainTimeoutMs { get; init; }

    /// <summary>memory | redis | db; unset = the configured WORKER_PERSISTENCE_DRIVER (only those auto-start).</summary>
    public string? PersistenceDriver { get; init; }

    /// <summary>The worker's circuit (in force when features.circuitBreaker is true).</summary>
    public CircuitBreakerRequest? CircuitBreaker { get; init; }

    /// <summary>Opt-in restarts on critical health or a failed health check (off by default).</summary>
    public HealthPolicyRequest? HealthPolicy { get; init; }

    /// <summary>Replica bounds and thresholds for the auto-scaler (in force when features.autoScaling is true).</summary>
    public AutoScalingRequest? AutoScaling { get; init; }

    /// <summary>Lower-case letters, digits and '-'; unset = WORKER_REGION.</summary>
    public string? Region { get; init; }

    /// <summary>Load the processor from an assembly instead of a registered name (admin only, like every worker change):
    /// {"path" | "url", "sha256", "type"?}. Not with processor.</summary>
    public ProcessorSpecRequest? ProcessorSpec { get; init; }

    /// <summary>The declared health check: a registered check's name, or {"kind": "http" | "tcp" | "registered", …}
    /// (<see cref="HealthCheckRequest"/>). Declared, its consecutive failures mark the worker failed. On update null removes it.</summary>
    public JsonElement HealthCheck { get; init; }

    /// <summary>The original's infrastructure block: driver (memory | redis), persistence {driver, connection, table, keyPrefix},
    /// redis {env: true}.</summary>
    public InfrastructureRequest? Infrastructure { get; init; }

    /// <summary>The original's persistence block at the top level (as infrastructure.persistence).</summary>
    public PersistenceRequest? Persistence { get; init; }
}

/// <summary>POST /api/workers: the shared fields, the worker's name, its auto-start and the original's datacenter block.</summary>
public sealed class WorkerCreateRequest : WorkerFieldsRequest
{
    public string? Name { get; init; }

    /// <summary>true / false / unset (follows WORKER_AUTO_START).</summary>
    public bool? AutoStart { get; init; }

    /// <summary>The original's datacenter block: primaryRegion (the placement), secondaryRegions (the first is the failover
    /// target), affinityRules, priority, autoFailover, healthCheckInterval (ms).</summary>
    public DatacenterRequest? Datacenter { get; init; }
}

public sealed class AutoScalingRequest
{
    public int? MinReplicas { get; init; }
    public int? MaxReplicas { get; init; }
    public int? ScaleUpThreshold { get; init; }
    public int? ScaleDownThreshold { get; init; }
    public long? CooldownMs { get; init; }
}

/// <summary>POST /api/workers/{name}/scale.</summary>
public sealed class ScaleRequest
{
    public int? Replicas { get; init; }

    /// <summary>How long the auto-scaler leaves the worker alone (default 30; 0: not at all).</summary>
    public int? HoldMinutes { get; init; }
}

public sealed class HealthPolicyRequest
{
    public bool? RestartWhenCritical { get; init; }
    public int? CriticalSamples { get; init; }
    public int? MaxRestarts { get; init; }
    public long? RestartWindowMs { get; init; }

    /// <summary>Restart a worker whose declared health check failed (within maxRestarts per restartWindowMs) instead of leaving it
    /// failed. Default false.</summary>
    public bool? RestartWhenFailed { get; init; }
}

public sealed class CircuitBreakerRequest
{
    public int? FailureThreshold { get; init; }
    public int? FailureWindowMs { get; init; }
    public int? ResetTimeoutMs { get; init; }
    public int? HalfOpenAttempts { get; init; }
}

/// <summary>One queue of a multi-queue worker: its name and weight (1..1000, default 1).</summary>
public sealed class WorkerQueueRequest
{
    public string? Name { get; init; }
    public int? Weight { get; init; }
}

/// <summary>A processor spec: an assembly under WORKER_PROCESSOR_ROOT (path) or at an https address on REMOTE_PROCESSOR_ALLOWLIST
/// (url), its SHA-256 (64 hex digits, required), and optionally the processor class's full name.</summary>
public sealed class ProcessorSpecRequest
{
    public string? Path { get; init; }
    public string? Url { get; init; }
    public string? Sha256 { get; init; }
    public string? Type { get; init; }
}

/// <summary>PATCH /api/workers/{name}: only the fields present change.</summary>
public sealed class WorkerUpdateRequest : WorkerFieldsRequest
{
    /// <summary>true / false, or null to follow WORKER_AUTO_START again (absent: unchanged).</summary>
    public JsonElement AutoStart { get; init; }
}

/// <summary>POST /api/workers/{name}/versions: a version to register (the original's body, plus what a version may change).</summary>
public sealed class WorkerVersionRequest
{
    public string? Version { get; init; }
    public string? Description { get; init; }
    public string? Processor { get; init; }
    public int? Concurrency { get; init; }
    public JobOptionsRequest? JobOptions { get; init; }
    public string? HealthCheck { get; init; }
}

/// <summary>POST /api/workers/{name}/canary/start: the original's body (duration in milliseconds), plus steps and the decision's margins.</summary>
public sealed class CanaryStartRequest
{
    public string? NewVersion { get; init; }
    public double? TrafficPercentage { get; init; }
    public double? Duration { get; init; }
    public bool? AutoRollback { get; init; }
    public int? SuccessThreshold { get; init; }
    public int? RollbackThreshold { get; init; }
    public IReadOnlyList<double>? Steps { get; init; }
    public double? ErrorMargin { get; init; }
    public int? MinimumSamples { get; init; }
    public double? EvaluationIntervalMs { get; init; }
}

public sealed class JobOptionsRequest
{
    public int? Attempts { get; init; }
    public BackoffRequest? Backoff { get; init; }
    public int? TimeoutMs { get; init; }
    public int? MaxStalls { get; init; }
    public int? LeaseMs { get; init; }
    public int? RetainCompleted { get; init; }
    public JsonElement Priority { get; init; }

    /// <summary>How long idempotency keys are remembered (1 minute to 30 days; default 24 h).</summary>
    public long? IdempotencyTtlMs { get; init; }

    /// <summary>Enqueues are refused (429 QUEUE_FULL) while this many jobs wait or are delayed; 0 removes the limit.</summary>
    public int? MaxWaiting { get; init; }

    /// <summary>Dead-lettered jobs kept (oldest deleted past it); default 10000.</summary>
    public int? MaxDeadLetters { get; init; }

    /// <summary>At most this many of the queue's jobs run at once across the cluster; 0 removes the limit.</summary>
    public int? GlobalConcurrency { get; init; }

    /// <summary>At most max job starts per durationMs across the cluster; {"max": 0} removes the limit.</summary>
    public RateLimitRequest? RateLimit { get; init; }

    /// <summary>At most this many jobs of one group run at once across the cluster; 0 removes the limit.</summary>
    public int? GroupConcurrency { get; init; }

    /// <summary>The queue's partitions, 1..64 (default 1); changes only while the queue holds no work (409 PARTITIONS_LOCKED).</summary>
    public int? Partitions { get; init; }
}

public sealed class RateLimitRequest
{
    public int? Max { get; init; }
    public long? DurationMs { get; init; }
}

public sealed class BackoffRequest
{
    /// <summary>fixed | exponential.</summary>
    public string? Type { get; init; }
    public int? DelayMs { get; init; }
    public double? Jitter { get; init; }
    public int? MaxDelayMs { get; init; }
}

/// <summary>One job in POST /api/queues/{queue}/jobs (the body is one of these, an array of them, or {"jobs": [...]}).</summary>
public class EnqueueJobRequest
{
    public JsonElement? Payload { get; init; }

    /// <summary>BullMQ's name for the payload; give one of payload or data.</summary>
    public JsonElement? Data { get; init; }
    public string? Name { get; init; }

    /// <summary>A number 0..100 or critical | high | normal | low.</summary>
    public JsonElement Priority { get; init; }
    public long? DelayMs { get; init; }

    /// <summary>Run no earlier than this time (ISO 8601, by the queue's clock); instead of delayMs.</summary>
    public DateTimeOffset? RunAt { get; init; }
    public string? IdempotencyKey { get; init; }

    /// <summary>How long the key is remembered (1000 ms to 30 days); default: the queue's idempotencyTtlMs.</summary>
    public long? IdempotencyTtlMs { get; init; }

    /// <summary>The job's envelope: string headers the processor sees (trace context among them).</summary>
    public Dictionary<string, string>? Headers { get; init; }

    /// <summary>The job's group (a tenant, an account): groups take turns, and jobOptions.groupConcurrency bounds each one.</summary>
    public string? Group { get; init; }

    /// <summary>Whose personal data the job carries (1..256 printable characters; a pseudonymous id is best): DELETE
    /// /api/compliance/subjects/{id} erases it. Travels as the <c>data-subject</c> header.</summary>
    public string? DataSubject { get; init; }
    public int? Attempts { get; init; }
    public BackoffRequest? Backoff { get; init; }
    public int? TimeoutMs { get; init; }
}

public sealed class EnqueueBatchRequest
{
    public List<EnqueueJobRequest>? Jobs { get; init; }
}

/// <summary>POST /api/queues/{queue}/dead-letters/retry and DELETE /api/queues/{queue}/dead-letters: no ids = all.</summary>
public sealed class DeadLetterRequest
{
    public List<string>? Ids { get; init; }
}

/// <summary>POST /api/flows: a job (the fields of an enqueued job) in its queue, and its children, each a flow of its own.</summary>
public sealed class FlowRequest : EnqueueJobRequest
{
    public string? Queue { get; init; }

    /// <summary>fail (the default: a failed child dead-letters this job at once) | ignore (it runs when all have settled).</summary>
    public string? OnChildFailure { get; init; }

    public List<FlowRequest>? Children { get; init; }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A worker: a processor bound to a queue, with its concurrency, job policy and flags.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerDefinition")]
public sealed record WorkerDefinition
{
    /// <summary><c>^[a-zA-Z0-9_-]{3,50}$</c>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary><c>^[a-zA-Z0-9_-]{3,50}$</c>.</summary>
    [Id(1)] public required string QueueName { get; init; }

    /// <summary><c>x.y.z</c>. Default 1.0.0.</summary>
    [Id(2)] public string Version { get; init; } = "1.0.0";

    /// <summary>Jobs run at once per replica (1..1000). Default WORKER_CONCURRENCY (5).</summary>
    [Id(3)] public int Concurrency { get; init; } = 5;

    /// <summary>The registered processor's name; null = the worker's name.</summary>
    [Id(4)] public string? Processor { get; init; }

    /// <summary>true / false / unset (null follows WORKER_AUTO_START).</summary>
    [Id(5)] public bool? AutoStart { get; init; }

    /// <summary>False: never starts, hidden from default listings.</summary>
    [Id(6)] public bool ActiveStatus { get; init; } = true;

    [Id(7)] public JobOptions JobOptions { get; init; } = new();

    /// <summary>Feature flags from <see cref="WorkerValidation.KnownFeatures"/>.</summary>
    [Id(8)] public IReadOnlyDictionary<string, bool> Features { get; init; } = new Dictionary<string, bool>();

    /// <summary>Processing replicas (each on some silo, each with <see cref="Concurrency"/> slots). Default 1.</summary>
    [Id(9)] public int Replicas { get; init; } = 1;

    /// <summary>How long a graceful stop waits for in-flight jobs before handing them back. Default 30 s.</summary>
    [Id(10)] public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The persistence driver this worker belongs to (memory | redis | db); null = the configured
    /// WORKER_PERSISTENCE_DRIVER. Only workers on the configured driver auto-start (the seed's rule).</summary>
    [Id(11)] public string? PersistenceDriver { get; init; }

    /// <summary>The worker's circuit (used when <c>features.circuitBreaker</c> is true).</summary>
    [Id(12)] public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    /// <summary>What the worker does about critical health (nothing by default).</summary>
    [Id(13)] public WorkerHealthPolicy HealthPolicy { get; init; } = new();

    /// <summary>Replica bounds and thresholds for the auto-scaler (used when <c>features.autoScaling</c> is true).</summary>
    [Id(14)] public AutoScalingOptions AutoScaling { get; init; } = new();

    /// <summary>The region the worker belongs to (lower-case letters, digits and '-'); null = WORKER_REGION.</summary>
    [Id(15)] public string? Region { get; init; }

    /// <summary>Where the replicas run (only on silos of its region); null = anywhere. Set through the placement route.</summary>
    [Id(16)] public WorkerPlacement? Placement { get; init; }

    /// <summary>Moving the replicas to a secondary region and back; null = none. Set through the failover route.</summary>
    [Id(17)] public FailoverPolicy? Failover { get; init; }

    /// <summary>
    /// A multi-queue worker's queues with their weights, <see cref="QueueName"/> (its primary queue) among them; null: the worker
    /// consumes <see cref="QueueName"/> alone. Every queue gets the worker's <see cref="JobOptions"/>; the primary queue's
    /// figures are the worker's in its status, and the processor learns a job's queue from <see cref="JobContext.Queue"/>.
    /// </summary>
    [Id(18)] public IReadOnlyList<WorkerQueue>? Queues { get; init; }

    /// <summary>
    /// An assembly to load the processor from (a path under WORKER_PROCESSOR_ROOT or an allow-listed https address, pinned by
    /// its SHA-256) instead of a registered <see cref="Processor"/>; null: the processor is registered by name. Not both.
    /// </summary>
    [Id(19)] public ProcessorSpec? ProcessorSpec { get; init; }

    /// <summary>
    /// The worker's declared health check (a registered check, an HTTP URL or a TCP host:port) with its failure threshold; null:
    /// none declared (a check registered under the worker's name still runs, as an input to the health score only). A version
    /// naming a registered check runs that one instead while it is active. Declared, its consecutive failures mark the worker failed.
    /// </summary>
    [Id(20)] public HealthCheckSpec? HealthCheck { get; init; }

    /// <summary>The queues the worker consumes: <see cref="Queues"/>, or <see cref="QueueName"/> with weight 1.</summary>
    public IReadOnlyList<WorkerQueue> ConsumedQueues => Queues is { Count: > 0 } queues ? queues : [new WorkerQueue { Name = QueueName }];

    /// <summary>Whether the auto-scaler manages this worker's replicas.</summary>
    public bool AutoScalingEnabled => Feature(WorkerFeatures.AutoScaling);

    /// <summary>Whether the worker's circuit breaker is on.</summary>
    public bool CircuitBreakerEnabled => Feature(WorkerFeatures.CircuitBreaker);

    /// <summary>Whether the worker is health-monitored (checks, samples, score, policy, failure detection); on unless false.</summary>
    public bool HealthMonitoringEnabled => Feature(WorkerFeatures.HealthMonitoring);

    /// <summary>A feature flag's value, or its default when the definition leaves it out (<see cref="WorkerFeatures"/>).</summary>
    public bool Feature(string name) => WorkerFeatures.IsOn(Features, name);

    /// <summary>The processor name a replica resolves (unused when <see cref="ProcessorSpec"/> is set).</summary>
    public string ProcessorName => string.IsNullOrWhiteSpace(Processor) ? Name : Processor;
}

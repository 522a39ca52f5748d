namespace ZinTrust.Workers.Abstractions;

/// <summary>Stable error codes. They are part of the public contract: never rename one.</summary>
public static class WorkersErrorCodes
{
    public const string InvalidWorkerName = "INVALID_WORKER_NAME";
    public const string InvalidQueueName = "INVALID_QUEUE_NAME";
    public const string InvalidVersion = "INVALID_VERSION";
    public const string InvalidConcurrency = "INVALID_CONCURRENCY";
    public const string InvalidJobOptions = "INVALID_JOB_OPTIONS";
    public const string InvalidCircuitBreaker = "INVALID_CIRCUIT_BREAKER";
    public const string CircuitBreakerDisabled = "CIRCUIT_BREAKER_DISABLED";
    public const string InvalidHealthPolicy = "INVALID_HEALTH_POLICY";
    public const string InvalidScaling = "INVALID_SCALING";
    public const string InvalidRegion = "INVALID_REGION";
    public const string InvalidFeatureFlag = "INVALID_FEATURE_FLAG";
    public const string InvalidProcessor = "INVALID_PROCESSOR";
    public const string InvalidPriority = "INVALID_PRIORITY";
    public const string InvalidPersistenceDriver = "INVALID_PERSISTENCE_DRIVER";
    public const string InvalidDelay = "INVALID_DELAY";
    public const string InvalidIdempotencyKey = "INVALID_IDEMPOTENCY_KEY";
    public const string InvalidHeaders = "INVALID_HEADERS";
    public const string InvalidGroup = "INVALID_GROUP";
    public const string InvalidQueues = "INVALID_QUEUES";
    public const string InvalidFlow = "INVALID_FLOW";
    public const string InvalidPayload = "INVALID_PAYLOAD";
    public const string InvalidJobId = "INVALID_JOB_ID";
    public const string InvalidBody = "INVALID_BODY";
    public const string InvalidJson = "INVALID_JSON";
    public const string InvalidBatch = "INVALID_BATCH";
    public const string MissingRequiredField = "MISSING_REQUIRED_FIELD";
    public const string WorkerNotFound = "WORKER_NOT_FOUND";
    public const string WorkerExists = "WORKER_EXISTS";
    public const string WorkerInactive = "WORKER_INACTIVE";
    public const string WorkersDisabled = "WORKERS_DISABLED";
    public const string ProcessorNotFound = "PROCESSOR_NOT_FOUND";
    public const string WorkerStartFailed = "WORKER_START_FAILED";
    public const string JobNotFound = "JOB_NOT_FOUND";
    public const string InvalidJobTransition = "INVALID_JOB_TRANSITION";
    public const string QueueUnavailable = "QUEUE_UNAVAILABLE";
    public const string QueueNotFound = "QUEUE_NOT_FOUND";
    public const string QueueFull = "QUEUE_FULL";

    /// <summary>A change of a queue's partition count while one of its partitions holds jobs (409): the count is fixed while the
    /// queue has work; drain it (and prune the partitions that go) first.</summary>
    public const string PartitionsLocked = "PARTITIONS_LOCKED";

    /// <summary>Job options a partitioned queue cannot honour (400): a global concurrency or rate limit, which one queue grain
    /// enforces, with more than one partition.</summary>
    public const string PartitionsConflict = "PARTITIONS_CONFLICT";

    /// <summary>An enqueue sent to a partition that does not take it (the sender's partition count is out of date, or it named a
    /// partition directly); <see cref="QueuePartitions"/> re-reads the count and sends it again.</summary>
    public const string PartitionMismatch = "PARTITION_MISMATCH";

    /// <summary>A query value out of range (400), such as a page of a partitioned queue past <see cref="QueuePartitions.MaxMergedWindow"/>.</summary>
    public const string InvalidQuery = "INVALID_QUERY";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
    public const string ResourceMonitoringDisabled = "RESOURCE_MONITORING_DISABLED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string InvalidPluginName = "INVALID_PLUGIN_NAME";
    public const string PluginNotFound = "PLUGIN_NOT_FOUND";
    public const string VersionNotFound = "VERSION_NOT_FOUND";
    public const string VersionExists = "VERSION_EXISTS";
    public const string ProcessorNotOnEverySilo = "PROCESSOR_NOT_ON_EVERY_SILO";
    public const string VersionRolloutFailed = "VERSION_ROLLOUT_FAILED";
    public const string HealthCheckNotFound = "HEALTH_CHECK_NOT_FOUND";
    public const string CanaryActive = "CANARY_ACTIVE";
    public const string CanaryNotFound = "CANARY_NOT_FOUND";
    public const string CanaryNotRunning = "CANARY_NOT_RUNNING";
    public const string InvalidCanary = "INVALID_CANARY";
    public const string RegionNotFound = "REGION_NOT_FOUND";
    public const string InvalidPlacement = "INVALID_PLACEMENT";
    public const string InvalidFailoverPolicy = "INVALID_FAILOVER_POLICY";
    public const string RegionUnavailable = "REGION_UNAVAILABLE";
    public const string ScheduleNotFound = "SCHEDULE_NOT_FOUND";
    public const string ScheduleExists = "SCHEDULE_EXISTS";
    public const string InvalidSchedule = "INVALID_SCHEDULE";
    public const string EncryptionDisabled = "ENCRYPTION_DISABLED";
    public const string RetentionDisabled = "RETENTION_DISABLED";
    public const string InvalidDataSubject = "INVALID_DATA_SUBJECT";

    /// <summary>A declared health check that is malformed (unknown kind, bad URL, host, port, timeout, interval or threshold).</summary>
    public const string InvalidHealthCheck = "INVALID_HEALTH_CHECK";

    /// <summary>Why a worker is failed: its declared health check failed its threshold's times in a row (a failure code, not an
    /// HTTP error).</summary>
    public const string HealthCheckFailed = "HEALTH_CHECK_FAILED";

    /// <summary>A feature flag value that cannot apply here (clustering, compliance or versioning set to false), or a flag set to
    /// false together with what it turns off (a placement with datacenterOrchestration: false).</summary>
    public const string FeatureNotSupported = "FEATURE_NOT_SUPPORTED";

    /// <summary>An operation the worker's feature flags turn off (placing a worker whose datacenterOrchestration is false).</summary>
    public const string FeatureDisabled = "FEATURE_DISABLED";

    /// <summary>An infrastructure (or persistence) block naming a driver that does not exist here, or settings a worker cannot
    /// have of its own (another Redis, database connection, table or key prefix than the cluster's).</summary>
    public const string InvalidInfrastructure = "INVALID_INFRASTRUCTURE";

    /// <summary>A processor spec that is malformed (no path or url, both, a digest that is not 64 hex digits, an http address...).</summary>
    public const string InvalidProcessorSpec = "INVALID_PROCESSOR_SPEC";

    /// <summary>A processor spec the silo will not fetch: path outside WORKER_PROCESSOR_ROOT, host not on REMOTE_PROCESSOR_ALLOWLIST,
    /// an address that is not public, a redirect.</summary>
    public const string ProcessorSpecRefused = "PROCESSOR_SPEC_REFUSED";

    /// <summary>The bytes fetched for a processor spec do not have its SHA-256; nothing was loaded.</summary>
    public const string ProcessorSpecDigestMismatch = "PROCESSOR_SPEC_DIGEST_MISMATCH";

    /// <summary>A processor spec that could not be fetched or loaded (network failure, too large, not an assembly, no processor type).</summary>
    public const string ProcessorSpecUnavailable = "PROCESSOR_SPEC_UNAVAILABLE";
}

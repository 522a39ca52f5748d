namespace ZinTrust.Workers.Grains;

/// <summary>
/// Settings of the worker system on a silo. The silo host fills them from appsettings (section <c>Workers</c>)
/// and the seed's environment variables, which win.
/// </summary>
public sealed class WorkersOptions
{
    public const string SectionName = "Workers";

    /// <summary>WORKERS_ENABLED: the worker system as a whole. When false no worker starts. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>WORKER_ENABLED: the <c>activeStatus</c> of workers created without one. Default: true.</summary>
    public bool WorkerEnabledByDefault { get; set; } = true;

    /// <summary>WORKER_CONCURRENCY: concurrency of workers created without one. Default: 5.</summary>
    public int DefaultConcurrency { get; set; } = 5;

    /// <summary>WORKER_TIMEOUT (seconds): job timeout when neither job nor worker sets one. Default: 60 s.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>WORKER_RETRIES: attempts in total when neither job nor worker sets them. Default: 3.</summary>
    public int DefaultAttempts { get; set; } = 3;

    /// <summary>WORKER_AUTO_START: the global auto-start switch (unset = false). Default: false.</summary>
    public bool AutoStart { get; set; }

    /// <summary>WORKER_PRIORITY: priority of jobs enqueued without one. Default: 1 (Normal).</summary>
    public int DefaultPriority { get; set; } = 1;

    /// <summary>WORKER_CONNECTION_TIMEOUT (ms): how long a start waits for its replicas to come up. Default: 5 s.</summary>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>WORKER_HEALTH_CHECK_INTERVAL (seconds): how often a running replica runs its worker's health check. Default: 60 s.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>WORKER_PERSISTENCE_DRIVER: memory | redis | db. Default: memory.</summary>
    public string PersistenceDriver { get; set; } = "memory";

    /// <summary>
    /// How often a running worker collects its replicas' and queues' counters into its durable hourly, daily and monthly metrics.
    /// Runs are counted in the period of the collection that sees them, so a run near a boundary may land in the next period,
    /// by at most this much. Default: 30 s.
    /// </summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long collected durable metrics may wait for a write to grain storage: a collection that changed them writes when at
    /// least this long has passed since the last write (so nothing waits longer than this plus <see cref="MetricsInterval"/>);
    /// a graceful stop of replicas and a deactivation of the worker grain write at once. Bounds what a crash of the worker's
    /// silo can lose: runs of replicas that died with it, collected since the last write. 0 writes at every change.
    /// Default: 1 min.
    /// </summary>
    public TimeSpan MetricsWriteInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often running workers re-assert their replicas (and after every membership change). Default: 10 s.</summary>
    public TimeSpan SupervisionInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Period of each running worker's supervision reminder (durable; at least the reminder service's minimum). Default: 1 min.</summary>
    public TimeSpan SupervisionReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An idle replica re-asks its queue this often even without a wake-up (a safety net; wake-ups do the work). Default: 5 s.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a timeout fires, how long a processor may take to observe it before the attempt is failed regardless. Default: 5 s.</summary>
    public TimeSpan TimeoutGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long replicas drain when their silo shuts down. Default: 10 s.</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WORKER_REGION: the region of workers created without one. Default: us-east-1 (the seed's).</summary>
    public string DefaultRegion { get; set; } = "us-east-1";

    /// <summary>WORKER_AUTO_SCALING_ENABLED: run the auto-scaler. Default: false (the seed's).</summary>
    public bool AutoScalingEnabled { get; set; }

    /// <summary>WORKER_AUTO_SCALING_INTERVAL (seconds): how often it evaluates. Default: 30 s.</summary>
    public TimeSpan AutoScalingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The auto-scaler's durable reminder (it re-activates the scaler after its silo dies). Default: 1 min, or the interval when longer.</summary>
    public TimeSpan AutoScalingReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>WORKER_OFF_PEAK_SCALING: cap replicas during the off-peak window. Default: false.</summary>
    public bool OffPeakScaling { get; set; }

    /// <summary>WORKER_OFF_PEAK_SCHEDULE: the off-peak window, HH:MM-HH:MM in UTC (may wrap midnight). Default: 22:00-06:00.</summary>
    public string OffPeakSchedule { get; set; } = "22:00-06:00";

    /// <summary>WORKER_OFF_PEAK_REDUCTION: off-peak caps replicas at max × (1 − this). Default: 0.7.</summary>
    public double OffPeakReduction { get; set; } = 0.7;

    /// <summary>WORKER_AUTO_SCALING_CPU_CEILING (%): no scale-up while the silos' average CPU is at or above it. Default: 90.</summary>
    public double AutoScalingCpuCeiling { get; set; } = 90;

    /// <summary>The job policy a worker gets when its definition sets none, built from the defaults above.</summary>
    /// <summary>
    /// Most job records one store write carries. Changes that arrive while a write is in flight share the next write (group
    /// commit) up to this and <see cref="StoreWriteMaxBytes"/>; the rest go in the write after. One call's changes are never
    /// split when they must be atomic (an enqueued batch), so a batch of jobs may hold at most this many. Default: 10000.
    /// </summary>
    public int StoreWriteMaxJobs { get; set; } = 10_000;

    /// <summary>
    /// About the most bytes (payloads, results and errors, plus a fixed allowance per record) one store write carries; see
    /// <see cref="StoreWriteMaxJobs"/>. An enqueued batch whose payloads exceed it is refused (INVALID_BATCH). Default: 16 MiB.
    /// </summary>
    public int StoreWriteMaxBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Job events the silo's event feed keeps for readers that resume (<c>GET /api/events</c> with Last-Event-ID). Default: 10000.</summary>
    public int EventFeedWindow { get; set; } = 10_000;

    /// <summary>How long the event feed keeps its window after its last reader left, for readers that reconnect; with no reader for
    /// longer, events are numbered but not kept. Default: 5 minutes.</summary>
    public TimeSpan EventFeedHold { get; set; } = TimeSpan.FromMinutes(5);

    public Abstractions.JobOptions DefaultJobOptions() => new()
    {
        Attempts = DefaultAttempts,
        Timeout = DefaultTimeout,
        DefaultPriority = DefaultPriority,
    };
}

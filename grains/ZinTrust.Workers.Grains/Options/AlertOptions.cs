namespace ZinTrust.Workers.Grains;

/// <summary>
/// The cluster's alerts: when the evaluator runs, the thresholds of each rule, the hold and hysteresis that keep a flapping
/// value from raising again and again, and the webhook that hears of every raise and resolution. The silo host fills these from
/// the <c>Workers:Alerts</c> section and the WORKER_ALERT_* environment variables (which win).
/// </summary>
/// <remarks>A threshold of 0 (or none) turns that severity of that rule off; a rule with neither severity is off.</remarks>
public sealed class AlertOptions
{
    public const string SectionName = "Workers:Alerts";

    /// <summary>WORKER_ALERTS: evaluate alerts at all. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>WORKER_ALERT_INTERVAL (seconds): time between evaluations. Default: 30 s (the resource monitor's interval).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Period of the evaluator's reminder, the durable backstop that brings it back (and re-arms its interval timer) after the
    /// silo hosting it stops. At least the reminder service's minimum. Default: 1 min.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>WORKER_ALERT_RAISE_AFTER: evaluations in a row (each with a new reading) that must breach a threshold before an
    /// alert is raised, or escalated to critical. Default: 3 (a minute and a half at the default interval).</summary>
    public int RaiseAfter { get; set; } = 3;

    /// <summary>WORKER_ALERT_RESOLVE_AFTER: evaluations in a row that must be clear (past the clear threshold) before an alert is
    /// resolved, or a critical one goes back to a warning. Default: 2.</summary>
    public int ResolveAfter { get; set; } = 2;

    /// <summary>WORKER_ALERT_HYSTERESIS_PERCENT: how far past its threshold, as a share of it, a value must come back to count as
    /// clear (a depth alert at 1000 clears at 900 or fewer). Default: 10.</summary>
    public double HysteresisPercent { get; set; } = 10;

    /// <summary>WORKER_ALERT_HISTORY_LIMIT: resolved alerts kept (the newest). Default: 200.</summary>
    public int HistoryLimit { get; set; } = 200;

    /// <summary>WORKER_ALERT_FAILURE_RATE_WINDOW (seconds): the failure rate is of the attempts in this window of the worker's
    /// monitoring samples. Default: 5 min.</summary>
    public TimeSpan FailureRateWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>WORKER_ALERT_FAILURE_RATE_MIN_RUNS: fewer attempts than this in the window never breach the failure rate (and count
    /// as clear). Default: 10.</summary>
    public int FailureRateMinRuns { get; set; } = 10;

    /// <summary>WORKER_ALERT_CPU_PERCENT / WORKER_ALERT_CPU_CRITICAL_PERCENT: a silo's machine CPU above. Default: 80 / 95.</summary>
    public AlertThreshold Cpu { get; set; } = new() { Warning = 80, Critical = 95 };

    /// <summary>WORKER_ALERT_MEMORY_PERCENT / WORKER_ALERT_MEMORY_CRITICAL_PERCENT: a silo's machine memory in use above. Default: 85 / 95.</summary>
    public AlertThreshold Memory { get; set; } = new() { Warning = 85, Critical = 95 };

    /// <summary>WORKER_ALERT_HEALTH_SCORE / WORKER_ALERT_HEALTH_CRITICAL_SCORE: a running worker's health score below. Default: 80 / 50
    /// (the score's degraded and critical bands).</summary>
    public AlertThreshold HealthScore { get; set; } = new() { Warning = 80, Critical = 50 };

    /// <summary>WORKER_ALERT_FAILURE_RATE_PERCENT / WORKER_ALERT_FAILURE_RATE_CRITICAL_PERCENT: failed attempts above this share.
    /// Default: 10 / 25.</summary>
    public AlertThreshold FailureRate { get; set; } = new() { Warning = 10, Critical = 25 };

    /// <summary>WORKER_ALERT_QUEUE_DEPTH / WORKER_ALERT_QUEUE_DEPTH_CRITICAL: waiting jobs above. Default: 1000 / 10000.</summary>
    public AlertThreshold QueueDepth { get; set; } = new() { Warning = 1000, Critical = 10_000 };

    /// <summary>WORKER_ALERT_QUEUE_WAIT_SECONDS / WORKER_ALERT_QUEUE_WAIT_CRITICAL_SECONDS: the oldest waiting job has waited longer.
    /// Default: 300 / 1800.</summary>
    public AlertThreshold QueueOldestWait { get; set; } = new() { Warning = 300, Critical = 1800 };

    /// <summary>WORKER_ALERT_COST_24H / WORKER_ALERT_COST_24H_CRITICAL: the estimated cost over 24 hours above (in
    /// WORKER_COST_CURRENCY; needs unit prices). Default: off.</summary>
    public AlertThreshold Cost { get; set; } = new();

    /// <summary>Per-worker thresholds (appsettings <c>Workers:Alerts:Workers:{name}</c>): <c>HealthScore</c> and <c>FailureRate</c>
    /// replace the defaults for that worker, severity by severity (an unset severity keeps the default; 0 turns it off).</summary>
    public Dictionary<string, AlertOverride> Workers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per-queue thresholds (appsettings <c>Workers:Alerts:Queues:{name}</c>): <c>QueueDepth</c> and <c>QueueOldestWait</c>.</summary>
    public Dictionary<string, AlertOverride> Queues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>WORKER_ALERT_WEBHOOK_URL: an https address that receives a POST (JSON) for every raise, change of severity and
    /// resolution. Its host must be on <see cref="WebhookAllowList"/>. Default: unset (no webhook).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>WORKER_ALERT_WEBHOOK_ALLOWLIST (comma-separated): the host names the webhook may name, compared exactly. Default: empty.</summary>
    public List<string> WebhookAllowList { get; set; } = [];

    /// <summary>WORKER_ALERT_WEBHOOK_SECRET: when set, each POST carries <c>X-ZinTrust-Signature: sha256=HEX</c>, the HMAC-SHA256 of
    /// its body under this secret. Never logged. Default: unset.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>WORKER_ALERT_WEBHOOK_TIMEOUT (ms): one delivery attempt's limit. Default: 5 s.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>WORKER_ALERT_WEBHOOK_RETRY_ATTEMPTS: tries after the first when a delivery fails in a way that may pass (a network
    /// error, a timeout, a 5xx, 408, 429). Default: 3.</summary>
    public int WebhookRetryAttempts { get; set; } = 3;

    /// <summary>WORKER_ALERT_WEBHOOK_RETRY_BACKOFF_MS: the wait before the first retry, doubled before each next one (at most 1 min).
    /// Default: 1 s.</summary>
    public TimeSpan WebhookRetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Notifications waiting for delivery on a silo; past it the oldest is dropped (logged and counted). Default: 1000.</summary>
    public int WebhookQueueLimit { get; set; } = 1000;

    /// <summary>The thresholds of <paramref name="rule"/> as configured (no override applied).</summary>
    public AlertThreshold Thresholds(Abstractions.AlertRule rule) => rule switch
    {
        Abstractions.AlertRule.WorkerHealth => HealthScore,
        Abstractions.AlertRule.WorkerFailureRate => FailureRate,
        Abstractions.AlertRule.QueueDepth => QueueDepth,
        Abstractions.AlertRule.QueueOldestWait => QueueOldestWait,
        Abstractions.AlertRule.SiloCpu => Cpu,
        Abstractions.AlertRule.SiloMemory => Memory,
        _ => Cost,
    };
}

/// <summary>A rule's two thresholds. Null or 0: that severity is off (in an override, null keeps the default).</summary>
public sealed class AlertThreshold
{
    public double? Warning { get; set; }

    public double? Critical { get; set; }
}

/// <summary>One worker's or queue's own thresholds; a rule left null keeps the defaults.</summary>
public sealed class AlertOverride
{
    public AlertThreshold? HealthScore { get; set; }

    public AlertThreshold? FailureRate { get; set; }

    public AlertThreshold? QueueDepth { get; set; }

    public AlertThreshold? QueueOldestWait { get; set; }
}

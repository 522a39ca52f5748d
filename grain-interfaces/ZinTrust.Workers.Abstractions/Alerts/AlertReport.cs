namespace ZinTrust.Workers.Abstractions;

/// <summary>The alert evaluator's state and the alerts a query asked for (active first, most severe and newest first; then the
/// resolved ones, newest first).</summary>
[GenerateSerializer, Immutable, Alias("zt.AlertReport")]
public sealed record AlertReport
{
    [Id(0)] public required AlertStatus Status { get; init; }
    [Id(1)] public IReadOnlyList<Alert> Alerts { get; init; } = [];

    /// <summary>Active alerts in all (whatever the query's filter and limit).</summary>
    [Id(2)] public int ActiveCount { get; init; }

    /// <summary>Resolved alerts kept (the newest, up to the evaluator's history limit).</summary>
    [Id(3)] public int ResolvedCount { get; init; }
}

/// <summary>How the cluster's alert evaluator runs and what it watches.</summary>
[GenerateSerializer, Immutable, Alias("zt.AlertStatus")]
public sealed record AlertStatus
{
    /// <summary>WORKER_ALERTS: false turns every rule off (no evaluation).</summary>
    [Id(0)] public bool Enabled { get; init; }

    [Id(1)] public TimeSpan Interval { get; init; }

    [Id(2)] public DateTimeOffset? LastEvaluatedAt { get; init; }

    /// <summary>Whether the resource rules (CPU, memory, cost) are evaluated: only while the resource monitor runs.</summary>
    [Id(3)] public bool ResourceAlertsEnabled { get; init; }

    /// <summary>The resource monitor's gate as of the last evaluation (why resource alerts are off when they are).</summary>
    [Id(4)] public ResourceMonitorGate ResourceMonitor { get; init; }

    [Id(5)] public int RaiseAfter { get; init; }
    [Id(6)] public int ResolveAfter { get; init; }
    [Id(7)] public double HysteresisPercent { get; init; }
    [Id(8)] public IReadOnlyList<AlertRuleSettings> Rules { get; init; } = [];

    /// <summary>The silo the evaluator runs on.</summary>
    [Id(9)] public string? Host { get; init; }

    /// <summary>What the last evaluation could not read (a worker, a queue, the registry, the resource monitor); its alerts were left as they were.</summary>
    [Id(10)] public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Whether a webhook (WORKER_ALERT_WEBHOOK_URL) receives raises and resolutions.</summary>
    [Id(11)] public bool WebhookConfigured { get; init; }

    /// <summary>Evaluations since the evaluator was activated.</summary>
    [Id(12)] public long Evaluations { get; init; }
}

/// <summary>One rule's thresholds as configured (null: that severity is off).</summary>
[GenerateSerializer, Immutable, Alias("zt.AlertRuleSettings")]
public sealed record AlertRuleSettings
{
    [Id(0)] public AlertRule Rule { get; init; }
    [Id(1)] public double? Warning { get; init; }
    [Id(2)] public double? Critical { get; init; }
    [Id(3)] public bool HigherIsWorse { get; init; }
    [Id(4)] public required string Unit { get; init; }

    public bool Enabled => Warning is not null || Critical is not null;
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A canary deployment of a registered version: the original's body (<c>newVersion, trafficPercentage, duration, autoRollback,
/// successThreshold, rollbackThreshold</c>) plus the steps traffic moves through and the margins of the automatic decision.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.CanaryRequest")]
public sealed record CanaryRequest
{
    [Id(0)] public required string NewVersion { get; init; }

    /// <summary>The first step's share of the queue's jobs, 1..100 (default: the first of <see cref="Steps"/>, else 10).</summary>
    [Id(1)] public double? TrafficPercentage { get; init; }

    /// <summary>The whole deployment, spread evenly over its steps (default 1 hour).</summary>
    [Id(2)] public TimeSpan Duration { get; init; } = TimeSpan.FromHours(1);
    [Id(3)] public bool AutoRollback { get; init; } = true;

    /// <summary>The canary's health (0..100) needed to complete at 100 %.</summary>
    [Id(4)] public int SuccessThreshold { get; init; } = 95;

    /// <summary>Below this health (0..100) the canary rolls back on its own (with <see cref="AutoRollback"/>).</summary>
    [Id(5)] public int RollbackThreshold { get; init; } = 80;

    /// <summary>Traffic shares in increasing order, ending at 100 (default 10, 25, 50, 100; a trafficPercentage replaces the first).</summary>
    [Id(6)] public IReadOnlyList<double>? Steps { get; init; }

    /// <summary>How many percentage points the canary's error rate may exceed the stable version's (default 5).</summary>
    [Id(7)] public double ErrorMargin { get; init; } = 5;

    /// <summary>Finished attempts of the canary before it is judged (default 20).</summary>
    [Id(8)] public int MinimumSamples { get; init; } = 20;

    /// <summary>How often the canary is compared with the stable version (default 15 s; at most a step's length).</summary>
    [Id(9)] public TimeSpan? EvaluationInterval { get; init; }
}

[GenerateSerializer]
public enum CanaryState
{
    Running = 0,
    Paused = 1,
    Completed = 2,
    RolledBack = 3,
}

/// <summary>What one version did during the canary: counts since it started, error rate, p95 run time and a health score.</summary>
[GenerateSerializer, Immutable, Alias("zt.CanaryVersionStats")]
public sealed record CanaryVersionStats
{
    [Id(0)] public required string Version { get; init; }
    [Id(1)] public long Completed { get; init; }
    [Id(2)] public long Failed { get; init; }

    /// <summary>Failed ÷ finished attempts, 0..1.</summary>
    [Id(3)] public double ErrorRate { get; init; }
    [Id(4)] public TimeSpan? P95 { get; init; }
    [Id(5)] public TimeSpan? Average { get; init; }

    /// <summary>0..100 (the worker health score's formula over the canary's window; 100 before any run).</summary>
    [Id(6)] public int Health { get; init; } = 100;
}

/// <summary>One decision of a canary: started, a step, paused, resumed, rolled back, completed; with why.</summary>
[GenerateSerializer, Immutable, Alias("zt.CanaryDecision")]
public sealed record CanaryDecision
{
    [Id(0)] public DateTimeOffset At { get; init; }
    [Id(1)] public required string Action { get; init; }
    [Id(2)] public double FromPercent { get; init; }
    [Id(3)] public double ToPercent { get; init; }
    [Id(4)] public required string Reason { get; init; }

    /// <summary>The operator's, or null for the canary's own decisions.</summary>
    [Id(5)] public string? By { get; init; }
}

/// <summary>A worker's canary: versions, traffic, step, timing, each version's figures and the decisions so far.</summary>
[GenerateSerializer, Immutable, Alias("zt.CanaryStatus")]
public sealed record CanaryStatus
{
    [Id(0)] public required string Worker { get; init; }
    [Id(1)] public required string StableVersion { get; init; }
    [Id(2)] public required string CanaryVersion { get; init; }
    [Id(3)] public CanaryState State { get; init; }
    [Id(4)] public double TrafficPercentage { get; init; }

    /// <summary>The current step (0-based) of <see cref="Steps"/>.</summary>
    [Id(5)] public int Step { get; init; }
    [Id(6)] public IReadOnlyList<double> Steps { get; init; } = [];
    [Id(7)] public DateTimeOffset StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? NextStepAt { get; init; }
    [Id(9)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(10)] public required CanaryVersionStats Stable { get; init; }
    [Id(11)] public required CanaryVersionStats Canary { get; init; }
    [Id(12)] public IReadOnlyList<CanaryDecision> Decisions { get; init; } = [];
    [Id(13)] public required CanaryRequest Request { get; init; }

    /// <summary>The silo the canary's grain runs on now.</summary>
    [Id(14)] public string? Silo { get; init; }

    /// <summary>The canary's health, 0..100 (the original's <c>health</c>).</summary>
    public int Health => Canary.Health;
}

/// <summary>How a queue shares its jobs between a worker's stable replicas and its canary's: each job falls in the canary's
/// share by its id (deterministically, so a retry stays on its version); only that version's replicas lease it.</summary>
[GenerateSerializer, Immutable, Alias("zt.TrafficSplit")]
public sealed record TrafficSplit
{
    [Id(0)] public required string CanaryVersion { get; init; }

    /// <summary>0..100.</summary>
    [Id(1)] public double Percent { get; init; }
}

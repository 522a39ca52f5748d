namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.WorkerHealthState")]
public enum WorkerHealthState
{
    /// <summary>Score 80 and above.</summary>
    Healthy = 0,

    /// <summary>Score 50 to 79.</summary>
    Degraded = 1,

    /// <summary>Score below 50.</summary>
    Critical = 2,
}

/// <summary>
/// A worker's health score, 0–100, over one sampling window (WORKER_HEALTH_CHECK_INTERVAL):
/// 40 % success rate, 15 % latency against the worker's own baseline, 25 % health check, 10 % circuit, 10 % stalls.
/// Each part is itself 0–100; see <c>HealthScore.Compute</c> for the rules.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerHealthScore")]
public sealed record WorkerHealthScore
{
    [Id(0)] public int Score { get; init; } = 100;
    [Id(1)] public WorkerHealthState State { get; init; }
    [Id(2)] public int SuccessPart { get; init; } = 100;
    [Id(3)] public int LatencyPart { get; init; } = 100;
    [Id(4)] public int CheckPart { get; init; } = 100;
    [Id(5)] public int CircuitPart { get; init; } = 100;
    [Id(6)] public int StallPart { get; init; } = 100;
    [Id(7)] public DateTimeOffset At { get; init; }

    /// <summary>Attempts finished in the window the score covers.</summary>
    [Id(8)] public long Runs { get; init; }

    /// <summary>The mean run time the latency part compares against (null until the first window with runs).</summary>
    [Id(9)] public TimeSpan? Baseline { get; init; }
}

/// <summary>What a worker does about its own health. By default nothing (the seed's rule): it never restarts itself.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerHealthPolicy")]
public sealed record WorkerHealthPolicy
{
    /// <summary>Restart the worker when its health stays critical for <see cref="CriticalSamples"/> samples in a row.</summary>
    [Id(0)] public bool RestartWhenCritical { get; init; }
    [Id(1)] public int CriticalSamples { get; init; } = 3;

    /// <summary>At most this many health restarts within <see cref="RestartWindow"/>.</summary>
    [Id(2)] public int MaxRestarts { get; init; } = 3;
    [Id(3)] public TimeSpan RestartWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Restart the worker (rather than leave it failed) when its declared health check failed its threshold's times in
    /// a row; counted against <see cref="MaxRestarts"/> per <see cref="RestartWindow"/> with the critical-health restarts.
    /// Off by default (the original's "no auto-restart").</summary>
    [Id(4)] public bool RestartWhenFailed { get; init; }

    public IEnumerable<string> Problems()
    {
        if (CriticalSamples is < 1 or > 1000)
        {
            yield return "criticalSamples must be 1..1000";
        }

        if (MaxRestarts is < 0 or > 1000)
        {
            yield return "maxRestarts must be 0..1000";
        }

        if (RestartWindow < TimeSpan.FromMinutes(1) || RestartWindow > TimeSpan.FromDays(7))
        {
            yield return "restartWindow must be 1 minute..7 days";
        }
    }
}

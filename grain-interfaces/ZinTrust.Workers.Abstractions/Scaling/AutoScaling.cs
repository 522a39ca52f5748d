using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>A worker's replica bounds and thresholds for the auto-scaler (in force with <c>features.autoScaling</c>).</summary>
[GenerateSerializer, Immutable, Alias("zt.AutoScalingOptions")]
public sealed record AutoScalingOptions
{
    [Id(0)] public int MinReplicas { get; init; } = 1;
    [Id(1)] public int MaxReplicas { get; init; } = 10;

    /// <summary>Scale up when more jobs than this wait (and they would not drain within an interval).</summary>
    [Id(2)] public int ScaleUpThreshold { get; init; } = 100;

    /// <summary>Scale down when fewer jobs than this wait.</summary>
    [Id(3)] public int ScaleDownThreshold { get; init; } = 10;

    /// <summary>No further change this soon after the last one (the seed's default: 300 s).</summary>
    [Id(4)] public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Problems()
    {
        if (MinReplicas < 1 || MaxReplicas > WorkerValidation.MaxReplicas || MinReplicas > MaxReplicas)
        {
            yield return $"replicas must satisfy 1 <= minReplicas <= maxReplicas <= {WorkerValidation.MaxReplicas}";
        }

        if (ScaleDownThreshold < 0 || ScaleUpThreshold <= ScaleDownThreshold)
        {
            yield return "scaleUpThreshold must be above scaleDownThreshold (>= 0)";
        }

        if (Cooldown < TimeSpan.Zero || Cooldown > TimeSpan.FromDays(1))
        {
            yield return "cooldown must be 0..1 day";
        }
    }
}

/// <summary>One evaluation of one worker: what the auto-scaler saw, decided and did.</summary>
[GenerateSerializer, Immutable, Alias("zt.ScalingDecision")]
public sealed record ScalingDecision
{
    [Id(0)] public required string Worker { get; init; }
    [Id(1)] public DateTimeOffset At { get; init; }
    [Id(2)] public int From { get; init; }
    [Id(3)] public int To { get; init; }

    /// <summary>Why (always set, also when nothing changed).</summary>
    [Id(4)] public required string Reason { get; init; }

    /// <summary>True when the replica count was changed.</summary>
    [Id(5)] public bool Applied { get; init; }
    [Id(6)] public int Waiting { get; init; }
    [Id(7)] public double Throughput { get; init; }
    [Id(8)] public double CpuPercent { get; init; }

    /// <summary>auto | manual.</summary>
    [Id(9)] public string Source { get; init; } = "auto";
}

/// <summary>A worker's scaling view: bounds, the manual override if any, recent decisions (newest last).</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerScaling")]
public sealed record WorkerScaling
{
    [Id(0)] public required string Worker { get; init; }
    [Id(1)] public bool Enabled { get; init; }
    [Id(2)] public DateTimeOffset? OverrideUntil { get; init; }
    [Id(3)] public DateTimeOffset? LastChangeAt { get; init; }
    [Id(4)] public IReadOnlyList<ScalingDecision> Decisions { get; init; } = [];
}

/// <summary>The auto-scaler's own status.</summary>
[GenerateSerializer, Immutable, Alias("zt.AutoScalerStatus")]
public sealed record AutoScalerStatus
{
    [Id(0)] public bool Enabled { get; init; }
    [Id(1)] public TimeSpan Interval { get; init; }
    [Id(2)] public DateTimeOffset? LastRunAt { get; init; }
    [Id(3)] public bool OffPeakScaling { get; init; }
    [Id(4)] public string? OffPeakSchedule { get; init; }
    [Id(5)] public double OffPeakReduction { get; init; }
    [Id(6)] public bool OffPeakNow { get; init; }
    [Id(7)] public int Evaluations { get; init; }

    /// <summary>The silo running the auto-scaler now.</summary>
    [Id(8)] public string? Host { get; init; }
}

/// <summary>
/// The cluster's auto-scaler (key 0): every WORKER_AUTO_SCALING_INTERVAL it sets the replica count of each running
/// worker with <c>features.autoScaling</c> from its queue depth, throughput and the silos' CPU, within the
/// worker's bounds and cooldown, and applies it. A durable reminder keeps it running across silo restarts.
/// </summary>
[Alias("zt.IAutoScalerGrain"), Orleans.CodeGeneration.Version(1)]
public interface IAutoScalerGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the scaler (idempotent): arms its timer and reminder when auto-scaling is enabled.</summary>
    [Alias("Ensure")]
    Task<AutoScalerStatus> Ensure();

    [AlwaysInterleave, Alias("GetStatus")]
    Task<AutoScalerStatus> GetStatus();

    /// <summary>Evaluates every eligible worker now (what the timer does).</summary>
    [Alias("Evaluate")]
    Task<IReadOnlyList<ScalingDecision>> Evaluate();

    [AlwaysInterleave, Alias("GetScaling")]
    Task<WorkerScaling> GetScaling(string worker);

    /// <summary>An operator's scale: applied now, and the auto-scaler leaves the worker alone for <paramref name="hold"/>.</summary>
    [Alias("ScaleManually")]
    Task<ScalingDecision> ScaleManually(string worker, int replicas, TimeSpan hold);

    /// <summary>Ends a manual override now.</summary>
    [Alias("ClearOverride")]
    Task<WorkerScaling> ClearOverride(string worker);
}

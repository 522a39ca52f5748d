namespace ZinTrust.Workers.Server;

/// <summary>A circuit (a worker's or a named dependency's).</summary>
public sealed record CircuitAnswer(bool Ok, CircuitResponse Circuit);

public sealed record AutoScalerStatusResponse(
    bool Enabled,
    double IntervalSeconds,
    DateTimeOffset? LastRunAt,
    bool OffPeakScaling,
    string? OffPeakSchedule,
    double OffPeakReduction,
    bool OffPeakNow,
    int Evaluations);

public sealed record AutoScalerAnswer(bool Ok, AutoScalerStatusResponse Autoscaler);

public sealed record ScalingDecisionsAnswer(bool Ok, IReadOnlyList<ScalingDecisionResponse> Decisions);

/// <summary>A worker's scaling: whether the auto-scaler manages it, its bounds, an operator's hold, its recent decisions.</summary>
public sealed record WorkerScalingResponse(
    bool Ok,
    string Name,
    bool AutoScaled,
    int Replicas,
    AutoScalingResponse Bounds,
    DateTimeOffset? OverrideUntil,
    DateTimeOffset? LastChangeAt,
    IReadOnlyList<ScalingDecisionResponse> Decisions);

public sealed record ScaleAnswer(bool Ok, string Message, ScalingDecisionResponse Decision);

public sealed record ScalingOverrideClearedResponse(bool Ok, string Message, DateTimeOffset? OverrideUntil);

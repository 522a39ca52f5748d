using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The persisted part of the alert evaluator: active alerts, the newest resolved ones, and when it last evaluated.
/// Holds (how many evaluations in a row breached or were clear) stay in memory: a move of the grain starts them afresh.</summary>
[GenerateSerializer, Alias("zt.AlertGrainState")]
public sealed class AlertGrainState
{
    [Id(0)] public List<Alert> Active { get; set; } = [];

    /// <summary>Resolved alerts, oldest first, at most <see cref="AlertOptions.HistoryLimit"/>.</summary>
    [Id(1)] public List<Alert> Resolved { get; set; } = [];

    /// <summary>When the evaluator last evaluated, as of the last write (written with changes, and at least every few minutes while alerts are active).</summary>
    [Id(2)] public DateTimeOffset? LastEvaluatedAt { get; set; }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The persisted part of a canary grain: enough to resume at its step after any loss.</summary>
[GenerateSerializer, Alias("zt.CanaryGrainState")]
public sealed class CanaryGrainState
{
    [Id(0)] public CanaryRequest? Request { get; set; }
    [Id(1)] public string StableVersion { get; set; } = "";
    [Id(2)] public CanaryState State { get; set; }
    [Id(3)] public int Step { get; set; }
    [Id(4)] public List<double> Steps { get; set; } = [];
    [Id(5)] public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the current step is due to end (while running).</summary>
    [Id(6)] public DateTimeOffset NextStepAt { get; set; }

    /// <summary>While paused: what was left of the step.</summary>
    [Id(7)] public TimeSpan RemainingWhenPaused { get; set; }
    [Id(8)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(9)] public Dictionary<string, CanaryTotals> Totals { get; set; } = new(StringComparer.Ordinal);
    [Id(10)] public List<CanaryDecision> Decisions { get; set; } = [];
}

/// <summary>Attempts one version finished during the canary, with their run times.</summary>
[GenerateSerializer, Alias("zt.CanaryTotals")]
public sealed class CanaryTotals
{
    [Id(0)] public long Completed { get; set; }
    [Id(1)] public long Failed { get; set; }
    [Id(2)] public long DurationTicks { get; set; }
    [Id(3)] public long[] Buckets { get; set; } = [];
}

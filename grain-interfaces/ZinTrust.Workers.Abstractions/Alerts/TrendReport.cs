namespace ZinTrust.Workers.Abstractions;

/// <summary>Which way a metric went over a window.</summary>
[GenerateSerializer, Alias("zt.TrendDirection")]
public enum TrendDirection
{
    /// <summary>Fewer than three points in the window: no trend is claimed.</summary>
    Unknown = 0,
    Steady = 1,
    Rising = 2,
    Falling = 3,
}

/// <summary>Trends of the metrics alerts watch, over one window, each a least-squares line through the points in it.</summary>
[GenerateSerializer, Immutable, Alias("zt.TrendReport")]
public sealed record TrendReport
{
    [Id(0)] public DateTimeOffset From { get; init; }
    [Id(1)] public DateTimeOffset To { get; init; }

    /// <summary>The resource monitor's gate now (CPU, memory and cost trends have no new points while it does not run).</summary>
    [Id(2)] public ResourceMonitorGate ResourceMonitor { get; init; }

    [Id(3)] public IReadOnlyList<MetricTrend> Trends { get; init; } = [];

    /// <summary>Sources that could not be read (a worker, the registry, the resource monitor); their trends are missing.</summary>
    [Id(4)] public IReadOnlyList<string> Problems { get; init; } = [];
}

/// <summary>
/// One metric of one subject over the window: its points, first and last values, mean, range, and the slope of the least-squares
/// line as a rate per hour, with the direction it gives.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.MetricTrend")]
public sealed record MetricTrend
{
    /// <summary><c>cpu</c>, <c>memory</c>, <c>queue.depth</c>, <c>queue.oldest-wait</c>, <c>worker.health</c>, <c>worker.failure-rate</c> or <c>cost</c>.</summary>
    [Id(0)] public required string Metric { get; init; }
    [Id(1)] public AlertSubjectKind SubjectKind { get; init; }
    [Id(2)] public required string Subject { get; init; }
    [Id(3)] public required string Unit { get; init; }

    /// <summary>Where the points come from: <c>resource-snapshots</c>, <c>worker-monitoring</c> or <c>alert-evaluations</c>.</summary>
    [Id(4)] public required string Source { get; init; }

    [Id(5)] public int Points { get; init; }
    [Id(6)] public DateTimeOffset? FirstAt { get; init; }
    [Id(7)] public DateTimeOffset? LastAt { get; init; }
    [Id(8)] public double? First { get; init; }
    [Id(9)] public double? Last { get; init; }
    [Id(10)] public double? Mean { get; init; }
    [Id(11)] public double? Min { get; init; }
    [Id(12)] public double? Max { get; init; }

    /// <summary>The fitted line's slope in units per hour; null with fewer than two points or no time between them.</summary>
    [Id(13)] public double? RatePerHour { get; init; }

    [Id(14)] public TrendDirection Direction { get; init; }
}

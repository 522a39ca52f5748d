namespace ZinTrust.Workers.Abstractions;

/// <summary>The length of one durable-metrics bucket; boundaries are in UTC.</summary>
[GenerateSerializer, Alias("zt.WorkerMetricsPeriod")]
public enum WorkerMetricsPeriod
{
    Hour = 0,
    Day = 1,
    Month = 2,
}

/// <summary>How many buckets of each length a worker keeps: the newest, counted back from the one holding now.</summary>
public static class WorkerMetricsRetention
{
    /// <summary>Hourly buckets kept: two days.</summary>
    public const int Hours = 48;

    /// <summary>Daily buckets kept: two months of 31 days.</summary>
    public const int Days = 62;

    /// <summary>Monthly buckets kept: two years.</summary>
    public const int Months = 24;

    public static int Of(WorkerMetricsPeriod period) => period switch
    {
        WorkerMetricsPeriod.Hour => Hours,
        WorkerMetricsPeriod.Day => Days,
        _ => Months,
    };
}

/// <summary>
/// A worker's runs in one hour, day or month (UTC), persisted with the worker: counters, and run times from a
/// <see cref="RunTimeHistogram"/> (percentiles, minimum and maximum within 5 %).
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerMetricsBucket")]
public sealed record WorkerMetricsBucket
{
    /// <summary>The first instant of the period (UTC).</summary>
    [Id(0)] public DateTimeOffset Start { get; init; }

    /// <summary>The first instant after it; a bucket whose end is in the future is still filling.</summary>
    [Id(1)] public DateTimeOffset End { get; init; }

    /// <summary>Attempts whose processor succeeded, counted when the worker collected them.</summary>
    [Id(2)] public long Completed { get; init; }

    /// <summary>Attempts whose processor failed (each retry's failure too).</summary>
    [Id(3)] public long Failed { get; init; }

    /// <summary>Failed attempts the worker's queues scheduled again (the queues' count: a queue shared by several workers counts
    /// for each of them).</summary>
    [Id(4)] public long Retried { get; init; }

    /// <summary>Jobs the worker's queues moved to their dead-letter set (the queues' count, as for <see cref="Retried"/>).</summary>
    [Id(5)] public long DeadLettered { get; init; }

    /// <summary>Mean run time of the attempts counted here; null without any.</summary>
    [Id(6)] public TimeSpan? Average { get; init; }

    [Id(7)] public TimeSpan? Min { get; init; }

    [Id(8)] public TimeSpan? Max { get; init; }

    [Id(9)] public TimeSpan? P50 { get; init; }

    [Id(10)] public TimeSpan? P95 { get; init; }

    [Id(11)] public TimeSpan? P99 { get; init; }

    /// <summary>The last time the worker collected into this bucket.</summary>
    [Id(12)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A worker's durable metrics for one period length: the buckets kept, oldest first.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerMetricsHistory")]
public sealed record WorkerMetricsHistory
{
    [Id(0)] public WorkerMetricsPeriod Period { get; init; }

    /// <summary>How many buckets of this length the worker keeps (the newest; older ones are dropped).</summary>
    [Id(1)] public int Retention { get; init; }

    [Id(2)] public IReadOnlyList<WorkerMetricsBucket> Buckets { get; init; } = [];

    /// <summary>The worker's last collection from its replicas and queues (null before the first).</summary>
    [Id(3)] public DateTimeOffset? CollectedAt { get; init; }

    /// <summary>The last write of these metrics to grain storage: what was collected after it is lost if the worker's silo
    /// dies together with the replicas that ran the jobs (null before the first write).</summary>
    [Id(4)] public DateTimeOffset? SavedAt { get; init; }
}

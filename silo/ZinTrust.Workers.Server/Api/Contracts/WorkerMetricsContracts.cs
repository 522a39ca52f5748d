namespace ZinTrust.Workers.Server;

/// <summary>
/// GET /api/workers/{name}/metrics?period=hour|day|month: the worker's durable buckets of that length, oldest first. A period
/// appears when the worker ran (and was collected) in it; a bucket whose <c>end</c> is in the future is still filling.
/// <c>savedAt</c> is the last write to grain storage; <c>percentileRelativeError</c> bounds the run-time figures (0.05: within 5 %).
/// </summary>
public sealed record WorkerMetricsHistoryResponse(
    bool Ok,
    string Name,
    string Period,
    int Retention,
    int Count,
    DateTimeOffset? CollectedAt,
    DateTimeOffset? SavedAt,
    double PercentileRelativeError,
    IReadOnlyList<WorkerMetricsBucketResponse> Buckets);

/// <summary>
/// One hour, day or month (UTC). completed/failed: processor attempts (a retried job's failed attempts count as failed);
/// retried/deadLettered: the worker's queues' transitions; successRate: 100 × completed / runs (0..100, null without runs);
/// run times in milliseconds, null without runs.
/// </summary>
public sealed record WorkerMetricsBucketResponse(
    DateTimeOffset Start,
    DateTimeOffset End,
    long Completed,
    long Failed,
    long Runs,
    long Retried,
    long DeadLettered,
    double? SuccessRate,
    double? AverageMs,
    double? MinMs,
    double? MaxMs,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    DateTimeOffset UpdatedAt);

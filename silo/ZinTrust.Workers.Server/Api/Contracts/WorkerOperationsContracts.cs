namespace ZinTrust.Workers.Server;

/// <summary>
/// <c>GET /api/workers/{name}/status?format=original</c>: the status in the original ZinTrust documentation's shape,
/// <c>{ok, status: {name, state, version, health, queue, concurrency, metrics}}</c>. <c>state</c> is the worker's status
/// (stopped | starting | running | draining | failed), <c>health</c> the health score 0–100 (null before the first sample, or
/// while monitoring is stopped), <c>queue</c> the primary queue.
/// </summary>
public sealed record OriginalWorkerStatusResponse(bool Ok, OriginalWorkerStatus Status);

public sealed record OriginalWorkerStatus(string Name, string State, string Version, int? Health, string Queue, int Concurrency, OriginalWorkerMetrics Metrics);

/// <summary>Attempts of the current replicas: <c>successRate</c> is 0–1 (completed over finished; null before any finished),
/// <c>avgDuration</c> in milliseconds.</summary>
public sealed record OriginalWorkerMetrics(long Completed, long Failed, double? SuccessRate, double AvgDuration);

/// <summary>GET /api/workers/{name}/monitoring/history: the samples asked for, oldest first, and whether new ones are being
/// taken (<c>monitoring</c>: false after POST …/monitoring/stop).</summary>
public sealed record MonitoringHistoryResponse(bool Ok, string Name, bool Monitoring, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<MonitoringSampleResponse> Samples);

/// <summary>One of a worker's queues and how many dead-lettered jobs it holds.</summary>
public sealed record WorkerDeadLetterQueueResponse(string Queue, int DeadLetters);

/// <summary>
/// GET /api/workers/{name}/dead-letter-queue/list: the dead-lettered jobs of the worker's queues (all of them, or the one
/// <c>?queue=</c> names), oldest failure first; <c>total</c> counts them all, <c>jobs</c> is the page at offset/limit.
/// </summary>
public sealed record WorkerDeadLetterListResponse(
    bool Ok,
    string Worker,
    int Total,
    int Offset,
    int Limit,
    IReadOnlyList<WorkerDeadLetterQueueResponse> Queues,
    IReadOnlyList<JobResponse> Jobs);

/// <summary>POST /api/workers/{name}/dead-letter-queue/retry: <c>ids</c> (none: every dead letter) in the worker's queues, or
/// in the one <c>queue</c> names. Unknown fields are rejected.</summary>
public sealed class WorkerDeadLetterRetryRequest
{
    public List<string>? Ids { get; init; }
    public string? Queue { get; init; }
}

/// <summary>How many dead-lettered jobs of one queue went back to waiting.</summary>
public sealed record WorkerDeadLetterRetriedResponse(string Queue, int Retried);

/// <summary>The answer to a worker-scoped retry: the jobs moved back to waiting (fresh attempts), in all and by queue.</summary>
public sealed record WorkerDeadLetterRetryResponse(bool Ok, string Worker, int Retried, IReadOnlyList<WorkerDeadLetterRetriedResponse> Queues);

public sealed record WorkerAnswer(bool Ok, WorkerResponse Worker);

/// <summary>A worker's latest health-check result and its health score (null before a sample).</summary>
public sealed record WorkerHealthAnswer(bool Ok, string Name, string Status, HealthResponse Health, HealthScoreResponse? Score);

public sealed record SystemSummaryAnswer(bool Ok, SystemSummaryResponse Summary);

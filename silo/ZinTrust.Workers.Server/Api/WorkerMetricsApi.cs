using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>
/// GET /api/workers/{name}/metrics: the live figures of the running replicas, or with <c>?period=hour|day|month</c> the worker's
/// durable buckets (kept in grain storage, so they outlive replica restarts, silo losses and cluster restarts).
/// </summary>
public static class WorkerMetricsApi
{
    public static RouteGroupBuilder MapWorkerMetricsApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/{name}/metrics", Metrics)
            .WithSummary("Completed, failed, success rate, average duration, throughput, queue depth; with ?period=hour|day|month the durable "
                + "per-period buckets (UTC): counters, success rate, run-time average, min, max and p50/p95/p99 (within 5 %), the newest ?limit=")
            .Produces<WorkerMetricsResponse>().Produces<WorkerMetricsHistoryResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The period named by <c>?period=</c>; null when absent; INVALID_QUERY (400) for anything else.</summary>
    public static WorkerMetricsPeriod? Period(string? raw) => raw switch
    {
        null => null,
        "hour" => WorkerMetricsPeriod.Hour,
        "day" => WorkerMetricsPeriod.Day,
        "month" => WorkerMetricsPeriod.Month,
        _ => throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "period must be hour, day or month."),
    };

    public static string Name(WorkerMetricsPeriod period) => period switch
    {
        WorkerMetricsPeriod.Hour => "hour",
        WorkerMetricsPeriod.Day => "day",
        _ => "month",
    };

    private static async Task<Results<JsonHttpResult<WorkerMetricsResponse>, JsonHttpResult<WorkerMetricsHistoryResponse>>> Metrics(
        string name,
        [FromQuery, Description("hour | day | month: the worker's durable buckets of that length (UTC) instead of the live figures")] string? period,
        [FromQuery, Description("With period: the newest N buckets, 1..48 (hour), 1..62 (day) or 1..24 (month); default every bucket kept")] string? limit,
        IGrainFactory grains)
    {
        var worker = WorkersApi.Worker(name, grains);
        if (Period(period) is not { } length)
        {
            var report = await worker.GetStatus();
            var recent = await worker.GetMonitoringHistory(null, null, 60);
            return TypedResults.Json(ApiMapping.ToMetrics(report, recent), ApiJson.Options);
        }

        int kept = WorkerMetricsRetention.Of(length);
        int newest = WorkersApi.Number(limit, "limit", kept, 1, kept);
        var history = await worker.GetMetrics(length, newest);
        return TypedResults.Json(ToResponse(name, history), ApiJson.Options);
    }

    public static WorkerMetricsHistoryResponse ToResponse(string name, WorkerMetricsHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return new WorkerMetricsHistoryResponse(
            true,
            name,
            Name(history.Period),
            history.Retention,
            history.Buckets.Count,
            history.CollectedAt,
            history.SavedAt,
            RunTimeHistogram.RelativeError,
            [.. history.Buckets.Select(ToResponse)]);
    }

    public static WorkerMetricsBucketResponse ToResponse(WorkerMetricsBucket b)
    {
        ArgumentNullException.ThrowIfNull(b);
        long runs = b.Completed + b.Failed;
        static double? Ms(TimeSpan? value) => value is { } v ? Math.Round(v.TotalMilliseconds, 2) : null;
        return new WorkerMetricsBucketResponse(
            b.Start,
            b.End,
            b.Completed,
            b.Failed,
            runs,
            b.Retried,
            b.DeadLettered,
            runs == 0 ? null : Math.Round(100.0 * b.Completed / runs, 1),
            Ms(b.Average),
            Ms(b.Min),
            Ms(b.Max),
            Ms(b.P50),
            Ms(b.P95),
            Ms(b.P99),
            b.UpdatedAt);
    }
}

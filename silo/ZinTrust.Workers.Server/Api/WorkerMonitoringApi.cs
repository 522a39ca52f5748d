using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// /api/workers/{name}/monitoring: the worker's health monitoring (a sample every WORKER_HEALTH_CHECK_INTERVAL while it runs:
/// its history, the health score and the health policy), read by time and started or stopped by an operator.
/// </summary>
public static class WorkerMonitoringApi
{
    /// <summary>The widest <c>?hours=</c> (a week, as for the resource history); the history itself holds at most
    /// <see cref="MaxSamples"/> samples.</summary>
    public const int MaxHistoryHours = 24 * 7;

    /// <summary>The most samples a worker keeps (a day at the default 60 s interval).</summary>
    public const int MaxSamples = 1440;

    public static RouteGroupBuilder MapWorkerMonitoringApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/{name}/monitoring/history", History)
            .WithSummary("Monitoring samples, oldest first: the last ?hours= (1..168; all of them unless ?limit=), or ?from=&to= (ISO 8601); newest ?limit= (1..1440, default 100)")
            .Produces<MonitoringHistoryResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/monitoring/start", (string name, IGrainFactory grains) => Set(name, grains, enabled: true))
            .WithSummary("Start the worker's health monitoring (samples, health score, health policy) again; kept in the worker's state")
            .Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/monitoring/stop", (string name, IGrainFactory grains) => Set(name, grains, enabled: false))
            .WithSummary("Stop the worker's health monitoring until a start: no samples, no health score, no health policy; the history taken is kept")
            .Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        return group;
    }

    private static async Task<JsonHttpResult<MonitoringHistoryResponse>> History(
        string name,
        [FromQuery, Description("Samples of the last N hours, 1..168 (not with from)")] string? hours,
        [FromQuery, Description("Samples at or after this ISO 8601 time")] string? from,
        [FromQuery, Description("Samples at or before this ISO 8601 time")] string? to,
        [FromQuery, Description("The newest N samples of the range, 1..1440 (default 100; with hours, every sample of the range)")] string? limit,
        IGrainFactory grains,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock)
    {
        var since = WorkersApi.Time(from, "from");
        var until = WorkersApi.Time(to, "to");
        if (hours is not null)
        {
            if (from is not null)
            {
                throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "Give either from or hours, not both.");
            }

            since = clock.GetUtcNow() - TimeSpan.FromHours(WorkersApi.Number(hours, "hours", 24, 1, MaxHistoryHours));
        }

        if (since is not null && until is not null && since > until)
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "from must not be after to.");
        }

        int newest = WorkersApi.Number(limit, "limit", hours is null ? 100 : MaxSamples, 1, MaxSamples);
        var worker = WorkersApi.Worker(name, grains);
        var info = await worker.Get() ?? throw WorkersApi.NotFound(name);
        var samples = await worker.GetMonitoringHistory(since, until, newest);
        return TypedResults.Json(
            new MonitoringHistoryResponse(true, name, !info.MonitoringStopped, since, until, [.. samples.Select(ApiMapping.ToResponse)]),
            ApiJson.Options);
    }

    private static async Task<JsonHttpResult<WorkerActionResponse>> Set(string name, IGrainFactory grains, bool enabled)
    {
        var info = await WorkersApi.Worker(name, grains).SetMonitoring(enabled);
        var message = enabled
            ? $"Health monitoring of worker '{name}' started{(info.Status is WorkerStatus.Running or WorkerStatus.Starting ? "" : "; it samples while the worker runs")}."
            : $"Health monitoring of worker '{name}' stopped.";
        return TypedResults.Json(new WorkerActionResponse(true, message, ApiMapping.ToResponse(info)), ApiJson.Options);
    }
}

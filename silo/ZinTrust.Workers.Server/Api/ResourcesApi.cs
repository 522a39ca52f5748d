using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>/api/resources: the resource monitor (status, start/stop, snapshot history), cost estimates, and the cluster's alerts and
/// trends (<see cref="ResourceAlertsApi"/>).</summary>
public static class ResourcesApi
{
    public const int MaxHistoryLimit = IResourceMonitorGrain.MaxHistoryPerQuery;
    public const int MaxHistoryHours = 24 * 7;
    private const int MaxSiloLength = 200;

    public static RouteGroupBuilder MapResourcesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/resources").WithTags("Resources").ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", Status).WithSummary("Whether the resource monitor runs, why not (reason), its interval, and the latest snapshot of each silo").Produces<ResourceStatusResponse>();
        group.MapGet("/current", Status).WithSummary("The seed's name for the same status and latest snapshots").Produces<ResourceStatusResponse>();
        group.MapGet("/history", History)
            .WithSummary("Snapshots of ?silo= (or all) in ?from=&to= (ISO 8601) or the last ?hours=, newest ?limit= (default 100), oldest first")
            .Produces<ResourceHistoryResponse>();
        group.MapGet("/costs", Costs).WithSummary("Estimated costs over the last 24 hours, per worker and in total (configured: false without unit prices)").Produces<CostsResponse>();
        group.MapPost("/start", async (IGrainFactory grains) => Action(await Monitor(grains).Start(), "Resource monitoring started"))
            .WithSummary("Start resource monitoring (clears an operator's stop; it runs when WORKER_RESOURCE_MONITORING and a worker's features.resourceMonitoring allow)")
            .Produces<ResourceActionResponse>().ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/stop", async (IGrainFactory grains) => Action(await Monitor(grains).Stop(), "Resource monitoring stopped"))
            .WithSummary("Stop resource monitoring until a start (kept across restarts; the history is kept)")
            .Produces<ResourceActionResponse>()
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapResourceAlertsApi();
        return group;
    }

    private static async Task<IResult> Status(IGrainFactory grains) =>
        Results.Json(ResourcesMapping.ToResponse(await Monitor(grains).GetStatus()), ApiJson.Options);

    private static async Task<IResult> History(
        IGrainFactory grains,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        [FromQuery(Name = "from"), Description("Snapshots at or after this ISO 8601 time (not with hours)")] string? fromText,
        [FromQuery(Name = "to"), Description("Snapshots at or before this ISO 8601 time")] string? toText,
        [FromQuery, Description("Snapshots of the last N hours, 1..168 (not with from)")] string? hours,
        [FromQuery, Description("Snapshots of this silo only (its address as snapshots show it)")] string? silo,
        [FromQuery, Description("The newest N snapshots, 1..10000 (default 100)")] string? limit)
    {
        var from = WorkersApi.Time(fromText, "from");
        var to = WorkersApi.Time(toText, "to");
        if (hours is not null)
        {
            if (from is not null)
            {
                throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "Give either from or hours, not both.");
            }

            from = clock.GetUtcNow() - TimeSpan.FromHours(WorkersApi.Number(hours, "hours", 24, 1, MaxHistoryHours));
        }

        if (from is not null && to is not null && from > to)
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "from must not be after to.");
        }

        if (silo is not null && (silo.Length is 0 or > MaxSiloLength || silo.Any(char.IsControl)))
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, $"silo must be a silo address as snapshots show it (1..{MaxSiloLength} printable characters).");
        }

        var snapshots = await Monitor(grains).GetHistory(silo, from, to, WorkersApi.Number(limit, "limit", 100, 1, MaxHistoryLimit));
        return Results.Json(new ResourceHistoryResponse(true, snapshots.Count, [.. snapshots.Select(ResourcesMapping.ToResponse)]), ApiJson.Options);
    }

    private static async Task<IResult> Costs(IGrainFactory grains)
    {
        var estimate = await Monitor(grains).GetCosts();
        return Results.Json(new CostsResponse(true, estimate is not null, estimate is null ? null : ResourcesMapping.ToResponse(estimate)), ApiJson.Options);
    }

    private static IResult Action(ResourceMonitorStatus status, string message) =>
        Results.Json(ResourcesMapping.ToAction(status, message), ApiJson.Options);

    private static IResourceMonitorGrain Monitor(IGrainFactory grains) => grains.GetGrain<IResourceMonitorGrain>(0);
}

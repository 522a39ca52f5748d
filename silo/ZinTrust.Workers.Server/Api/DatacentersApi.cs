using Microsoft.AspNetCore.Http.HttpResults;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/datacenters (regions, topology) and /api/workers/{name}/placement and /failover.</summary>
public static class DatacentersApi
{
    public static RouteGroupBuilder MapDatacentersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/datacenters").WithTags("Datacenters").ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/regions", Register)
            .WithSummary("Register a region (id, name, location {lat, lon}, capacity) or replace its details; silos declare theirs (SILO_REGION) on their own")
            .Accepts<RegionRequest>("application/json").Produces<RegionActionResponse>(StatusCodes.Status201Created).RequireAuthorization(ApiSecurity.Admin);
        group.MapGet("/regions", async (IGrainFactory grains) =>
            {
                var regions = await Datacenter(grains).ListRegions();
                return Results.Json(new RegionListResponse(true, [.. regions.Select(DatacenterMapping.ToResponse)], regions.Count), ApiJson.Options);
            })
            .WithSummary("The regions the cluster knows: registered ones and those its silos declare").Produces<RegionListResponse>();
        group.MapGet("/topology", async (IGrainFactory grains) => Results.Json(DatacenterMapping.ToResponse(await Datacenter(grains).GetTopology()), ApiJson.Options))
            .WithSummary("Regions with their silos (status, zone) and health, replicas per worker per region, measured latency between regions, placed workers and their moves")
            .Produces<TopologyResponse>();
        return group;
    }

    /// <summary>Per worker: under the /api/workers group.</summary>
    public static RouteGroupBuilder MapPlacementApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/{name}/placement", async Task<Ok<WorkerPlacementAnswer>> (string name, IGrainFactory grains) =>
                TypedResults.Ok(new WorkerPlacementAnswer(true, await Status(name, grains))))
            .WithSummary("Where the worker's replicas run: its placement, failover policy and state, and the last moves between regions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}/placement", SetPlacement)
            .WithSummary("Place the worker's replicas in a region (they run only on its silos; running ones move: the new set starts, the old drains)")
            .Accepts<PlacementRequest>("application/json").Produces<WorkerRegionActionResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapDelete("/{name}/placement", async (string name, HttpContext http, IGrainFactory grains) =>
                await Act(name, grains, w => w.SetPlacement(null, http.CallerName()), "Placement removed: the replicas may run on any silo"))
            .WithSummary("Remove the placement (refused while a failover policy names the region)").Produces<WorkerRegionActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Admin);
        group.MapPut("/{name}/failover", SetFailover)
            .WithSummary("Set the failover policy: primary and secondary region, autoFailover, healthCheckInterval and failbackHold in milliseconds")
            .Accepts<FailoverRequest>("application/json").Produces<WorkerRegionActionResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapDelete("/{name}/failover", async (string name, HttpContext http, IGrainFactory grains) =>
                await Act(name, grains, w => w.SetFailover(null, http.CallerName()), "Failover policy removed"))
            .WithSummary("Remove the failover policy (replicas in the secondary move back to the placement's region)").Produces<WorkerRegionActionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        return group;
    }

    private static async Task<IResult> Register(HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<RegionRequest>(http.Request, cancellationToken);
        if (string.IsNullOrEmpty(body.Id))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "id is required.");
        }

        if (body.Location is { } at && (at.Lat is null || at.Lon is null))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidRegion, "location needs both lat and lon.");
        }

        var region = await Datacenter(grains).RegisterRegion(new RegionDefinition
        {
            Id = body.Id,
            Name = body.Name,
            Location = body.Location is { } l ? new GeoLocation { Lat = l.Lat!.Value, Lon = l.Lon!.Value } : null,
            Capacity = body.Capacity ?? 0,
        });
        return ApiJson.Created(new RegionActionResponse(true, $"Region {region.Id} registered", DatacenterMapping.ToResponse(region)), "/api/datacenters/regions");
    }

    private static async Task<IResult> SetPlacement(string name, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<PlacementRequest>(http.Request, cancellationToken);
        if (string.IsNullOrEmpty(body.Region))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "region is required.");
        }

        var placement = new WorkerPlacement { Region = body.Region, Priority = body.Priority ?? "normal", AffinityRules = body.AffinityRules ?? [] };
        return await Act(name, grains, w => w.SetPlacement(placement, http.CallerName()), $"Worker {name} placed in {body.Region}");
    }

    private static async Task<IResult> SetFailover(string name, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<FailoverRequest>(http.Request, cancellationToken);
        if (string.IsNullOrEmpty(body.PrimaryRegion) || string.IsNullOrEmpty(body.SecondaryRegion))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "primaryRegion and secondaryRegion are required.");
        }

        var defaults = new FailoverPolicy { PrimaryRegion = body.PrimaryRegion, SecondaryRegion = body.SecondaryRegion };
        var policy = defaults with
        {
            AutoFailover = body.AutoFailover ?? defaults.AutoFailover,
            HealthCheckInterval = body.HealthCheckInterval is { } every ? DatacenterMapping.Milliseconds(every, "healthCheckInterval") : defaults.HealthCheckInterval,
            FailbackHold = body.FailbackHold is { } hold ? DatacenterMapping.Milliseconds(hold, "failbackHold") : defaults.FailbackHold,
        };
        return await Act(name, grains, w => w.SetFailover(policy, http.CallerName()), $"Failover policy set: {policy.PrimaryRegion} -> {policy.SecondaryRegion}");
    }

    private static async Task<IResult> Act(string name, IGrainFactory grains, Func<IWorkerGrain, Task<WorkerInfo>> action, string message)
    {
        var worker = WorkersApi.Worker(name, grains);
        _ = await worker.Get() ?? throw WorkersApi.NotFound(name);
        await action(worker);
        return Results.Json(new WorkerRegionActionResponse(true, message, await Status(name, grains)), ApiJson.Options);
    }

    private static async Task<WorkerRegionResponse> Status(string name, IGrainFactory grains)
    {
        var worker = WorkersApi.Worker(name, grains);
        _ = await worker.Get() ?? throw WorkersApi.NotFound(name);
        return DatacenterMapping.ToResponse(await worker.GetRegionStatus());
    }

    private static IDatacenterGrain Datacenter(IGrainFactory grains) => grains.GetGrain<IDatacenterGrain>(0);
}

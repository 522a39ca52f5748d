using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>/api/workers: definitions and lifecycle.</summary>
public static class WorkersApi
{
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workers").WithTags("Workers").ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", List).WithSummary("List workers (paging; filters status, queue, region; sort; inactive ones with includeInactive=true)");
        group.MapPost("/", Create).WithSummary("Create a worker").Accepts<WorkerCreateRequest>("application/json").Produces<WorkerActionResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/create", Create).WithSummary("Create a worker (the seed's path)").Accepts<WorkerCreateRequest>("application/json").Produces<WorkerActionResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Admin);
        group.MapGet("/system/summary", Summary).WithSummary("Counts of workers by status, the depth of their queues, health, cluster resources and 24 h costs");
        group.MapGet("/{name}", Get).WithSummary("Get a worker").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{name}", Update).WithSummary("Update a worker (only the fields given; concurrency applies in place)").Accepts<WorkerUpdateRequest>("application/json").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapPut("/{name}", Update).WithSummary("Update a worker (same as PATCH)").Accepts<WorkerUpdateRequest>("application/json").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapDelete("/{name}", Delete).WithSummary("Stop and delete a worker").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapGet("/{name}/status", Status)
            .WithSummary("Live status: replicas, counters, queue depth; ?format=original answers in the original's shape {ok, status: {name, state, version, health, queue, concurrency, metrics}}")
            .Produces<WorkerStatusResponse>().Produces<OriginalWorkerStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/start", (string name, IGrainFactory grains) => Act(name, grains, w => w.Start(), "started"))
            .WithSummary("Start a worker").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/stop", (string name, IGrainFactory grains) => Act(name, grains, w => w.Stop(), "stopped"))
            .WithSummary("Stop a worker gracefully (drain, then hand unfinished jobs back)").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/restart", (string name, IGrainFactory grains) => Act(name, grains, w => w.Restart(), "restarted"))
            .WithSummary("Restart a worker (a new generation)").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/pause", (string name, IGrainFactory grains) => Act(name, grains, w => w.Pause(), "paused"))
            .WithSummary("Pause a worker: replicas stay up and take no new jobs; running jobs finish").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/resume", (string name, IGrainFactory grains) => Act(name, grains, w => w.Resume(), "resumed"))
            .WithSummary("Resume a paused worker").Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapGet("/{name}/health", Health).WithSummary("The latest health-check result").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{name}/circuit-breaker/state", async Task<Ok<CircuitAnswer>> (string name, IGrainFactory grains) =>
                TypedResults.Ok(new CircuitAnswer(true, ApiMapping.ToResponse(await Worker(name, grains).GetCircuit()))))
            .WithSummary("The worker's circuit: state (closed | open | halfOpen), failures in the window, when it retries, recent transitions").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/circuit-breaker/reset", async Task<Ok<CircuitAnswer>> (string name, IGrainFactory grains) =>
                TypedResults.Ok(new CircuitAnswer(true, ApiMapping.ToResponse(await Worker(name, grains).SetCircuit(open: false)))))
            .WithSummary("Close the worker's circuit now").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/circuit-breaker/open", async Task<Ok<CircuitAnswer>> (string name, IGrainFactory grains) =>
                TypedResults.Ok(new CircuitAnswer(true, ApiMapping.ToResponse(await Worker(name, grains).SetCircuit(open: true)))))
            .WithSummary("Open the worker's circuit now (half-open after its reset timeout)").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapWorkerMetricsApi();
        group.MapWorkerMonitoringApi();
        group.MapWorkerDeadLettersApi();
        group.MapVersionsApi();
        group.MapCanaryApi();
        group.MapPlacementApi();
        return group;
    }

    private static async Task<Ok<WorkerHealthAnswer>> Health(string name, IGrainFactory grains)
    {
        var worker = Worker(name, grains);
        var info = await worker.Get() ?? throw NotFound(name);
        var score = await worker.GetHealthScore();
        return TypedResults.Ok(new WorkerHealthAnswer(true, name, ApiMapping.Name(info.Status), ApiMapping.ToResponse(info.Health), ApiMapping.ToResponse(score)));
    }

    /// <summary>An ISO 8601 time (UTC when it names no offset), null when absent; INVALID_QUERY (400) naming the parameter otherwise.</summary>
    internal static DateTimeOffset? Time(string? raw, string name)
    {
        if (raw is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, $"{name} must be an ISO 8601 date and time.");
    }

    private static async Task<Ok<WorkerListResponse>> List(
        IGrainFactory grains,
        [FromQuery(Name = "page"), Description("The page, from 1 (default 1)")] string? pageText,
        [FromQuery(Name = "limit"), Description("Workers per page, 1..200 (default 100)")] string? limitText,
        [FromQuery, Description("Only workers in this status: stopped | starting | running | draining | failed")] string? status,
        [FromQuery, Description("Only workers consuming this queue")] string? queue,
        [FromQuery, Description("The same as queue (the original's name)")] string? queueName,
        [FromQuery, Description("Only workers of this region")] string? region,
        [FromQuery(Name = "includeInactive"), Description("true: inactive workers too (default false)")] string? includeInactiveText,
        [FromQuery, Description("name (default) | status | queue | version | concurrency | updatedAt; prefix - for descending")] string? sort)
    {
        bool includeInactive = Flag(includeInactiveText, "includeInactive");
        int page = Number(pageText, "page", 1, 1, 1_000_000);
        int limit = Number(limitText, "limit", 100, 1, MaxPageSize);
        status = status?.ToLowerInvariant();
        if (status is not null && !Enum.GetNames<WorkerStatus>().Any(s => s.Equals(status, StringComparison.OrdinalIgnoreCase)))
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "status must be one of stopped, starting, running, draining, failed.");
        }

        queue ??= queueName;
        sort ??= "name";
        bool descending = sort.StartsWith('-');
        Func<WorkerIndexEntry, IComparable> key = sort.TrimStart('-') switch
        {
            "name" => w => w.Name,
            "status" => w => ApiMapping.Name(w.Status),
            "queue" => w => w.QueueName,
            "version" => w => w.Version,
            "concurrency" => w => w.Concurrency,
            "updatedAt" => w => w.UpdatedAt,
            _ => throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "sort must be one of name, status, queue, version, concurrency, updatedAt (prefix - for descending)."),
        };
        var filtered = (await grains.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive))
            .Where(w => status is null || ApiMapping.Name(w.Status) == status)
            .Where(w => queue is null || w.QueueNames.Contains(queue, StringComparer.Ordinal))
            .Where(w => region is null || w.Region == region);
        var ordered = descending ? filtered.OrderByDescending(key).ThenBy(w => w.Name, StringComparer.Ordinal) : filtered.OrderBy(key).ThenBy(w => w.Name, StringComparer.Ordinal);
        var all = ordered.ToArray();
        int totalPages = (all.Length + limit - 1) / limit;
        var items = all.Skip((page - 1) * limit).Take(limit).Select(ApiMapping.ToListItem).ToArray();
        return TypedResults.Ok(new WorkerListResponse(items, new PaginationResponse(page, limit, all.Length, totalPages, page < totalPages, page > 1)));
    }

    private static async Task<Ok<SystemSummaryAnswer>> Summary(IGrainFactory grains)
    {
        var all = await grains.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: true);
        var active = all.Where(w => w.ActiveStatus).ToArray();
        var queues = await Task.WhenAll(active.SelectMany(w => w.QueueNames).Distinct(StringComparer.Ordinal).Select(QueuePartitions.Of(grains).GetStatsAsync));
        var scores = (await Task.WhenAll(active.Where(w => w.Status == WorkerStatus.Running).Select(w => grains.GetGrain<IWorkerGrain>(w.Name).GetHealthScore())))
            .Where(s => s is not null).Select(s => (double)s!.Score).ToArray();
        var resources = await Resources(grains);
        var costs = await grains.GetGrain<IResourceMonitorGrain>(0).GetCosts();
        var summary = new SystemSummaryResponse(
            Total: all.Count,
            Running: active.Count(w => w.Status == WorkerStatus.Running),
            Stopped: active.Count(w => w.Status == WorkerStatus.Stopped),
            Failed: active.Count(w => w.Status == WorkerStatus.Failed),
            Transitioning: active.Count(w => w.Status is WorkerStatus.Starting or WorkerStatus.Draining),
            Inactive: all.Count - active.Length,
            Waiting: queues.Sum(q => q.Waiting),
            Delayed: queues.Sum(q => q.Delayed),
            Active: queues.Sum(q => q.Active),
            DeadLettered: queues.Sum(q => q.Failed),
            AverageHealth: scores.Length == 0 ? null : Math.Round(scores.Average(), 1),
            Resources: resources,
            Costs: costs is null ? null : ResourcesMapping.ToSummary(costs));
        return TypedResults.Ok(new SystemSummaryAnswer(true, summary));
    }

    private static async Task<ResourcesResponse?> Resources(IGrainFactory grains)
    {
        var stats = await ClusterStatistics.ActiveSilosAsync(grains);
        if (stats.Count == 0)
        {
            return null;
        }

        // Throughput needs two readings apart in time: the resource monitor's latest round has them (rates since its previous one).
        var monitor = await grains.GetGrain<IResourceMonitorGrain>(0).GetStatus();
        ResourceSnapshot[] round = monitor.Running && monitor.LastSnapshotAt is { } last ? [.. monitor.Latest.Where(s => s.At == last)] : [];
        return new ResourcesResponse(
            stats.Count,
            Math.Round(stats.Average(s => s.EnvironmentStatistics.FilteredCpuUsagePercentage), 1),
            stats.Sum(s => s.EnvironmentStatistics.FilteredMemoryUsageBytes),
            stats.Sum(s => s.EnvironmentStatistics.MaximumAvailableMemoryBytes),
            stats.Sum(s => s.ActivationCount),
            SumKnown(round.Select(s => s.DiskReadBytesPerSecond)),
            SumKnown(round.Select(s => s.DiskWriteBytesPerSecond)),
            SumKnown(round.Select(s => s.NetworkReceiveBytesPerSecond)),
            SumKnown(round.Select(s => s.NetworkTransmitBytesPerSecond)));
    }

    /// <summary>The sum of the silos' figures that are known; null when none is.</summary>
    private static double? SumKnown(IEnumerable<double?> values)
    {
        double? sum = null;
        foreach (var value in values)
        {
            if (value is { } known)
            {
                sum = (sum ?? 0) + known;
            }
        }

        return sum is { } total ? Math.Round(total, 1) : null;
    }

    private static async Task<IResult> Create(HttpRequest request, IGrainFactory grains, HostSettings settings, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<WorkerCreateRequest>(request, cancellationToken);
        var definition = ApiMapping.ToDefinition(body, settings);
        var info = await grains.GetGrain<IWorkerGrain>(definition.Name).Create(definition);
        return ApiJson.Created(
            new WorkerActionResponse(true, $"Worker '{definition.Name}' created.", ApiMapping.ToResponse(info)),
            $"/api/workers/{Uri.EscapeDataString(definition.Name)}");
    }

    private static async Task<Ok<WorkerAnswer>> Get(string name, IGrainFactory grains)
    {
        var info = await Existing(name, grains);
        return TypedResults.Ok(new WorkerAnswer(true, ApiMapping.ToResponse(info)));
    }

    private static async Task<IResult> Update(string name, HttpRequest request, IGrainFactory grains, HostSettings settings, CancellationToken cancellationToken)
    {
        var worker = Worker(name, grains);
        var body = await ApiJson.ReadAsync<WorkerUpdateRequest>(request, cancellationToken);
        var current = await worker.Get() ?? throw NotFound(name);
        var info = await worker.Update(ApiMapping.ToUpdate(body, current.Definition, settings));
        return Results.Json(new WorkerActionResponse(true, $"Worker '{name}' updated.", ApiMapping.ToResponse(info)), ApiJson.Options);
    }

    private static async Task<Ok<MessageResponse>> Delete(string name, IGrainFactory grains)
    {
        await Worker(name, grains).Delete();
        return TypedResults.Ok(new MessageResponse(true, $"Worker '{name}' deleted."));
    }

    /// <summary>The status in our shape, or with <c>?format=original</c> in the original documentation's (a query parameter rather
    /// than an Accept profile: it shows in a URL, a curl line and the OpenAPI document, and caches key on it).</summary>
    private static async Task<Results<JsonHttpResult<WorkerStatusResponse>, JsonHttpResult<OriginalWorkerStatusResponse>>> Status(
        string name,
        [FromQuery, Description("default (this API's shape) | original ({ok, status: {…, metrics}}, success rate 0–1)")] string? format,
        IGrainFactory grains)
    {
        bool original = format switch
        {
            null or "default" => false,
            "original" => true,
            _ => throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "format must be default or original."),
        };
        var report = await Worker(name, grains).GetStatus();
        if (original)
        {
            return TypedResults.Json(ApiMapping.ToOriginalStatus(report), ApiJson.Options);
        }

        return TypedResults.Json(ApiMapping.ToResponse(report), ApiJson.Options);
    }

    private static async Task<IResult> Act(string name, IGrainFactory grains, Func<IWorkerGrain, Task<WorkerInfo>> action, string verb)
    {
        var info = await action(Worker(name, grains));
        return Results.Json(new WorkerActionResponse(true, $"Worker '{name}' {verb}.", ApiMapping.ToResponse(info)), ApiJson.Options);
    }

    internal static IWorkerGrain Worker(string name, IGrainFactory grains)
    {
        if (WorkerValidation.CheckWorkerName(name) is { } error)
        {
            throw error.ToException();
        }

        return grains.GetGrain<IWorkerGrain>(name);
    }

    /// <summary>The worker's current definition and status; 400 for a bad name, 404 when there is none.</summary>
    internal static async Task<WorkerInfo> Existing(string name, IGrainFactory grains) =>
        await Worker(name, grains).Get() ?? throw NotFound(name);

    internal static WorkersException NotFound(string name) => new(WorkersErrorCodes.WorkerNotFound, $"Worker '{name}' was not found.");

    /// <summary>true / 1, false / 0, false when absent; INVALID_QUERY (400) naming the parameter otherwise.</summary>
    internal static bool Flag(string? raw, string name)
    {
        return raw switch
        {
            null => false,
            _ when raw.Equals("true", StringComparison.OrdinalIgnoreCase) || raw == "1" => true,
            _ when raw.Equals("false", StringComparison.OrdinalIgnoreCase) || raw == "0" => false,
            _ => throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, $"{name} must be true or false."),
        };
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, <paramref name="fallback"/> when absent;
    /// INVALID_QUERY (400) naming the parameter otherwise.</summary>
    internal static int Number(string? raw, string name, int fallback, int min, int max)
    {
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, $"{name} must be a whole number from {min} to {max}.");
        }

        return value;
    }
}

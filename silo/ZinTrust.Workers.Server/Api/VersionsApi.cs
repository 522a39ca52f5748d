using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/workers/{name}/versions: register, list, activate (a rolling update; an older version is the rollback).</summary>
public static class VersionsApi
{
    public static RouteGroupBuilder MapVersionsApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/{name}/versions", List)
            .WithSummary("The registered versions (oldest first), the active one, the last rolling update and the history of the definition")
            .Produces<WorkerVersionsResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/versions", Register)
            .WithSummary("Register a version without running it").Accepts<WorkerVersionRequest>("application/json")
            .Produces<RegisteredVersionResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/{name}/versions/{version}/activate", Activate)
            .WithSummary("Activate a registered version: a rolling update of the running replicas, one at a time (an older version is the rollback)")
            .Produces<WorkerActionResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(ApiSecurity.Admin);
        return group;
    }

    private static async Task<IResult> List(string name, IGrainFactory grains)
    {
        var worker = WorkersApi.Worker(name, grains);
        var info = await worker.Get() ?? throw WorkersApi.NotFound(name);
        var list = await worker.ListVersions();
        var history = await worker.GetVersions();
        return Results.Json(
            new WorkerVersionsResponse(
                true,
                name,
                list.Active,
                list.Active,
                [.. list.Versions.Select(v => ToResponse(v, list.Active))],
                ToResponse(list.Rollout),
                [.. history.Select(v => ApiMapping.ToResponse(v, info.Definition))]),
            ApiJson.Options);
    }

    private static async Task<IResult> Register(string name, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<WorkerVersionRequest>(request, cancellationToken);
        if (string.IsNullOrEmpty(body.Version))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "version is required.");
        }

        var worker = WorkersApi.Worker(name, grains);
        var current = await worker.Get() ?? throw WorkersApi.NotFound(name);
        var registered = await worker.RegisterVersion(new WorkerVersionSpec
        {
            Version = body.Version,
            Description = body.Description,
            Processor = body.Processor,
            Concurrency = body.Concurrency,
            JobOptions = body.JobOptions is null ? null : ApiMapping.ToJobOptions(body.JobOptions, current.Definition.JobOptions),
            HealthCheck = body.HealthCheck,
        });
        return ApiJson.Created(ToResponse(registered, current.Definition.Version), $"/api/workers/{Uri.EscapeDataString(name)}/versions");
    }

    private static async Task<IResult> Activate(string name, string version, IGrainFactory grains)
    {
        if (!WorkerValidation.IsValidVersion(version))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidVersion, "Version must look like x.y.z (for example 1.0.0).");
        }

        var info = await WorkersApi.Worker(name, grains).ActivateVersion(version);
        return Results.Json(new WorkerActionResponse(true, $"Worker '{name}' runs version {version}.", ApiMapping.ToResponse(info)), ApiJson.Options);
    }

    private static RegisteredVersionResponse ToResponse(WorkerVersionSpec v, string active) =>
        new(v.Version, v.Description, v.Processor, v.Concurrency, v.JobOptions is null ? null : ApiMapping.ToResponse(v.JobOptions), v.HealthCheck, v.RegisteredAt, v.Version == active);

    private static RolloutResponse? ToResponse(VersionRollout? r) =>
        r is null ? null : new(r.From, r.To, System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(r.State.ToString()), r.Replaced, r.Replicas, r.StartedAt, r.FinishedAt, r.Reason);
}

using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/workers/{name}/canary: start, pause, resume, rollback, complete, status.</summary>
public static class CanaryApi
{
    public static RouteGroupBuilder MapCanaryApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapPost("/{name}/canary/start", Start)
            .WithSummary("Start a canary of a registered version: a traffic split by job id, moved step by step, completed at 100 %, rolled back on its own when it falls behind")
            .Accepts<CanaryStartRequest>("application/json").Produces<CanaryStatusResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/{name}/canary/pause", (string name, HttpContext http, IGrainFactory grains) => Act(name, grains, (c, by) => c.Pause(by), http))
            .WithSummary("Hold the canary at its step (traffic stays split)").Produces<CanaryStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/canary/resume", (string name, HttpContext http, IGrainFactory grains) => Act(name, grains, (c, by) => c.Resume(by), http))
            .WithSummary("Resume a paused canary").Produces<CanaryStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/canary/rollback", (string name, HttpContext http, IGrainFactory grains) => Act(name, grains, (c, by) => c.Rollback(by), http))
            .WithSummary("Roll the canary back: all traffic to the stable version, the canary's replicas drained").Produces<CanaryStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{name}/canary/complete", (string name, HttpContext http, IGrainFactory grains) => Act(name, grains, (c, by) => c.Complete(by), http))
            .WithSummary("Promote the canary now: the stable replicas roll to its version").Produces<CanaryStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapGet("/{name}/canary/status", Status)
            .WithSummary("The canary: versions, traffic, step, next step time, per-version counts, error rate, p95 and health, decisions with reasons")
            .Produces<CanaryStatusResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Start(string name, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<CanaryStartRequest>(http.Request, cancellationToken);
        if (string.IsNullOrEmpty(body.NewVersion))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "newVersion is required.");
        }

        _ = await WorkersApi.Worker(name, grains).Get() ?? throw WorkersApi.NotFound(name);
        var defaults = new CanaryRequest { NewVersion = body.NewVersion };
        var request = new CanaryRequest
        {
            NewVersion = body.NewVersion,
            TrafficPercentage = body.TrafficPercentage,
            Duration = body.Duration is { } ms ? Milliseconds(ms, "duration") : defaults.Duration,
            AutoRollback = body.AutoRollback ?? defaults.AutoRollback,
            SuccessThreshold = body.SuccessThreshold ?? defaults.SuccessThreshold,
            RollbackThreshold = body.RollbackThreshold ?? defaults.RollbackThreshold,
            Steps = body.Steps,
            ErrorMargin = body.ErrorMargin ?? defaults.ErrorMargin,
            MinimumSamples = body.MinimumSamples ?? defaults.MinimumSamples,
            EvaluationInterval = body.EvaluationIntervalMs is { } every ? Milliseconds(every, "evaluationIntervalMs") : null,
        };
        var status = await Canary(name, grains).Start(request, http.CallerName());
        return ApiJson.Created(ToResponse(status), $"/api/workers/{Uri.EscapeDataString(name)}/canary/status");
    }

    private static async Task<IResult> Act(string name, IGrainFactory grains, Func<ICanaryGrain, string?, Task<CanaryStatus>> action, HttpContext http)
    {
        _ = await WorkersApi.Worker(name, grains).Get() ?? throw WorkersApi.NotFound(name);
        return Results.Json(ToResponse(await action(Canary(name, grains), http.CallerName())), ApiJson.Options);
    }

    private static async Task<IResult> Status(string name, IGrainFactory grains)
    {
        _ = await WorkersApi.Worker(name, grains).Get() ?? throw WorkersApi.NotFound(name);
        var status = await Canary(name, grains).GetStatus()
            ?? throw new WorkersException(WorkersErrorCodes.CanaryNotFound, $"Worker '{name}' has no canary.");
        return Results.Json(ToResponse(status), ApiJson.Options);
    }

    private static TimeSpan Milliseconds(double value, string field) =>
        value is >= 0 and <= 30L * 24 * 3600 * 1000 ? TimeSpan.FromMilliseconds(value)
        : throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidCanary, $"{field} must be between 0 and 30 days in milliseconds.");

    private static ICanaryGrain Canary(string name, IGrainFactory grains) => grains.GetGrain<ICanaryGrain>(name);

    private static CanaryStatusResponse ToResponse(CanaryStatus s) => new(
        true,
        s.Worker,
        s.StableVersion,
        s.CanaryVersion,
        JsonNamingPolicy.CamelCase.ConvertName(s.State.ToString()),
        s.TrafficPercentage,
        s.Health,
        s.Step,
        s.Steps,
        s.StartedAt,
        s.NextStepAt,
        s.FinishedAt,
        new CanaryVersionsResponse(ToResponse(s.Stable), ToResponse(s.Canary)),
        [.. s.Decisions.Select(d => new CanaryDecisionResponse(d.At, d.Action, d.FromPercent, d.ToPercent, d.Reason, d.By))],
        new CanarySettingsResponse(s.Request.Duration.TotalMilliseconds, s.Request.AutoRollback, s.Request.SuccessThreshold, s.Request.RollbackThreshold, s.Request.ErrorMargin, s.Request.MinimumSamples));

    private static CanaryVersionResponse ToResponse(CanaryVersionStats v) => new(
        v.Version, v.Completed, v.Failed, Math.Round(v.ErrorRate, 4), v.P95?.TotalMilliseconds, v.Average is { } a ? Math.Round(a.TotalMilliseconds, 2) : null, v.Health);
}

using Microsoft.AspNetCore.Http.HttpResults;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>The auto-scaler (/api/autoscaler) and each worker's scaling (/api/workers/{name}/scale, /scaling).</summary>
public static class ScalingApi
{
    public static IEndpointRouteBuilder MapScalingApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var scaler = app.MapGroup("/api/autoscaler").WithTags("Scaling").RequireAuthorization(ApiSecurity.Viewer)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        scaler.MapGet("/", async Task<Ok<AutoScalerAnswer>> (IGrainFactory grains) => TypedResults.Ok(new AutoScalerAnswer(true, Status(await Scaler(grains).GetStatus()))))
            .WithSummary("Whether the auto-scaler runs, its interval, the off-peak window, its last run");
        scaler.MapPost("/evaluate", async Task<Ok<ScalingDecisionsAnswer>> (IGrainFactory grains) =>
                TypedResults.Ok(new ScalingDecisionsAnswer(true, [.. (await Scaler(grains).Evaluate()).Select(ApiMapping.ToResponse)])))
            .WithSummary("Evaluate every auto-scaled worker now (what the interval does)").RequireAuthorization(ApiSecurity.Operator);

        var worker = app.MapGroup("/api/workers/{name}").WithTags("Scaling").RequireAuthorization(ApiSecurity.Viewer)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        worker.MapGet("/scaling", Scaling).WithSummary("Bounds, the manual override and the last 50 decisions (with their reasons)");
        worker.MapPost("/scale", Scale)
            .WithSummary("Set the replica count now; the auto-scaler holds off for holdMinutes (default 30)").Accepts<ScaleRequest>("application/json")
            .RequireAuthorization(ApiSecurity.Operator);
        worker.MapDelete("/scaling/override", async Task<Ok<ScalingOverrideClearedResponse>> (string name, IGrainFactory grains) =>
            {
                await WorkersApi.Existing(name, grains);
                var scaling = await Scaler(grains).ClearOverride(name);
                return TypedResults.Ok(new ScalingOverrideClearedResponse(true, $"The auto-scaler manages worker '{name}' again.", scaling.OverrideUntil));
            })
            .WithSummary("End a manual override now").RequireAuthorization(ApiSecurity.Operator);
        return app;
    }

    private static async Task<Ok<WorkerScalingResponse>> Scaling(string name, IGrainFactory grains)
    {
        var info = await WorkersApi.Existing(name, grains);
        var scaling = await Scaler(grains).GetScaling(name);
        return TypedResults.Ok(new WorkerScalingResponse(
            true,
            name,
            scaling.Enabled && info.Definition.AutoScalingEnabled,
            info.Definition.Replicas,
            ApiMapping.ToResponse(info.Definition.AutoScaling),
            scaling.OverrideUntil,
            scaling.LastChangeAt,
            [.. scaling.Decisions.Select(ApiMapping.ToResponse)]));
    }

    private static async Task<Ok<ScaleAnswer>> Scale(string name, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ScaleRequest>(request, cancellationToken);
        if (body.Replicas is not { } replicas)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "replicas is required.");
        }

        if (body.HoldMinutes is < 0 or > 7 * 24 * 60)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidScaling, "holdMinutes must be 0..10080.");
        }

        await WorkersApi.Existing(name, grains);
        var decision = await Scaler(grains).ScaleManually(name, replicas, TimeSpan.FromMinutes(body.HoldMinutes ?? 30));
        return TypedResults.Ok(new ScaleAnswer(true, $"Worker '{name}' scaled to {decision.To} replicas.", ApiMapping.ToResponse(decision)));
    }

    private static AutoScalerStatusResponse Status(AutoScalerStatus s) =>
        new(s.Enabled, s.Interval.TotalSeconds, s.LastRunAt, s.OffPeakScaling, s.OffPeakSchedule, s.OffPeakReduction, s.OffPeakNow, s.Evaluations);

    private static IAutoScalerGrain Scaler(IGrainFactory grains) => grains.GetGrain<IAutoScalerGrain>(0);
}

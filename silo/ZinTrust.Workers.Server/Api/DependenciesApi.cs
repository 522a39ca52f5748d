using Microsoft.AspNetCore.Http.HttpResults;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/dependencies/{name}/circuit-breaker: the circuits processors call named dependencies through.</summary>
public static class DependenciesApi
{
    public static RouteGroupBuilder MapDependenciesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dependencies/{name}/circuit-breaker").WithTags("Circuit breakers")
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/state", async (string name, IGrainFactory grains) => Answer(await Circuit(name, grains).Get()))
            .WithSummary("A dependency's circuit: state, failures in the window, when it retries, recent transitions");
        group.MapPost("/reset", async (string name, IGrainFactory grains) => Answer(await Circuit(name, grains).Reset()))
            .WithSummary("Close a dependency's circuit now").RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/open", async (string name, IGrainFactory grains) => Answer(await Circuit(name, grains).Trip()))
            .WithSummary("Open a dependency's circuit now (half-open after its reset timeout)").RequireAuthorization(ApiSecurity.Operator);
        return group;
    }

    private static Ok<CircuitAnswer> Answer(CircuitSnapshot snapshot) => TypedResults.Ok(new CircuitAnswer(true, ApiMapping.ToResponse(snapshot)));

    private static ICircuitBreakerGrain Circuit(string name, IGrainFactory grains)
    {
        if (!WorkerValidation.IsValidName(name))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidCircuitBreaker, "A dependency name must match ^[a-zA-Z0-9_-]{3,50}$.");
        }

        return grains.GetGrain<ICircuitBreakerGrain>(CircuitNames.Dependency(name));
    }
}

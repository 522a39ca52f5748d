using Orleans.Runtime;

namespace ZinTrust.Workers.Silo;

/// <summary>/health: is this process up, and is its silo part of an active cluster.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/health", Health).WithTags("Health");
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }, ApiJson.Options)).WithTags("Health");
        return app;
    }

    private static IResult Health(ILocalSiloDetails silo, IClusterMembershipService membership)
    {
        var active = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var self = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        bool ok = self == SiloStatus.Active;
        return Results.Json(
            new { status = ok ? "ok" : "unavailable", silo = silo.SiloAddress.ToString(), siloStatus = self.ToString().ToLowerInvariant(), activeSilos = active },
            ApiJson.Options,
            statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

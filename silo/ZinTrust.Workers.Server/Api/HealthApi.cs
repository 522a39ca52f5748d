using Orleans.Runtime;

namespace ZinTrust.Workers.Server;

/// <summary>/health: is this process up, and is its silo part of an active cluster.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/health", Health).WithTags("Health").RequireAuthorization(ApiSecurity.Viewer);
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }, ApiJson.Options)).WithTags("Health").AllowAnonymous();
        // Probes (Kubernetes, Aspire, load balancers) carry no key: they get the verdict; a viewer key also gets the checks.
        app.MapGet("/health/ready", Ready).WithTags("Health").AllowAnonymous();
        return app;
    }

    /// <summary>200 when this silo is an active member and its backends answer, 503 otherwise; the checks (which one
    /// failed, and how) only to a caller with a viewer key.</summary>
    private static async Task<IResult> Ready(ReadinessProbe probe, HttpContext http, CancellationToken cancellationToken)
    {
        var (ready, checks) = await probe.CheckAsync(cancellationToken);
        var status = ready ? "ready" : "not_ready";
        var code = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return http.User.IsInRole(ApiSecurity.Viewer)
            ? Results.Json(new { status, checks }, ApiJson.Options, statusCode: code)
            : Results.Json(new { status }, ApiJson.Options, statusCode: code);
    }

    private static IResult Health(ILocalSiloDetails silo, IClusterMembershipService membership, ZinTrust.Workers.Grains.SiloLocation location, HostSettings settings)
    {
        var active = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var self = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        bool ok = self == SiloStatus.Active;
        return Results.Json(
            new
            {
                status = ok ? "ok" : "unavailable",
                silo = silo.SiloAddress.ToString(),
                siloStatus = self.ToString().ToLowerInvariant(),
                activeSilos = active,
                region = location.Region,
                zone = location.Zone,
                clusterId = settings.ClusterId,
            },
            ApiJson.Options,
            statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// /api/plugins: the plugins registered on this silo (every silo of a deployment registers the same ones) and their
/// cluster-wide switches. A switch reaches this silo at once and the others within the plugin refresh interval.
/// </summary>
public static class PluginsApi
{
    public static RouteGroupBuilder MapPluginsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/plugins").WithTags("Plugins")
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", List).WithSummary("List plugins: name, enabled, type, order, the hooks they implement").Produces<PluginListResponse>();
        group.MapPost("/{name}/enable", (string name, PluginHost host, IGrainFactory grains, CancellationToken cancellationToken) => Switch(name, true, host, grains, cancellationToken))
            .WithSummary("Enable a plugin on every silo").Produces<PluginActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/{name}/disable", (string name, PluginHost host, IGrainFactory grains, CancellationToken cancellationToken) => Switch(name, false, host, grains, cancellationToken))
            .WithSummary("Disable a plugin on every silo (its hooks stop being called; jobs keep running)").Produces<PluginActionResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Admin);
        return group;
    }

    private static async Task<IResult> List(PluginHost host, IGrainFactory grains)
    {
        var settings = await grains.GetGrain<IPluginRegistryGrain>(0).Get();
        return Results.Json(new PluginListResponse(true, settings.Version, [.. host.Plugins.Select(p => ToResponse(p, settings))]), ApiJson.Options);
    }

    private static async Task<IResult> Switch(string name, bool enabled, PluginHost host, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var plugin = host.Plugins.FirstOrDefault(p => p.Name == name)
            ?? throw ApiErrors.NotFound(WorkersErrorCodes.PluginNotFound, $"No plugin named '{name}' is registered.");
        var settings = await grains.GetGrain<IPluginRegistryGrain>(0).SetEnabled(name, enabled);
        await host.RefreshAsync(cancellationToken);
        var verb = enabled ? "enabled" : "disabled";
        return Results.Json(new PluginActionResponse(true, $"Plugin '{name}' {verb}.", ToResponse(plugin, settings)), ApiJson.Options);
    }

    private static PluginResponse ToResponse(RegisteredPlugin plugin, PluginSettings settings) =>
        new(plugin.Name, settings.IsEnabled(plugin.Name), plugin.Type.FullName ?? plugin.Type.Name, plugin.Order, [.. plugin.Hooks.Select(PluginHost.HookName)]);
}

using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/resources/alerts and /api/resources/trends: the cluster's alerts (active and recent, with when and why) and the
/// trends of the metrics they watch.</summary>
public static class ResourceAlertsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = IAlertGrain.MaxAlertsPerQuery;
    public const int MaxTrendHours = IAlertGrain.MaxTrendHours;

    public static RouteGroupBuilder MapResourceAlertsApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/alerts", Alerts)
            .WithSummary("Alerts: ?state=active|resolved|all (default all; active ones first), newest ?limit= (1..1000, default 100), with the rules and whether resource alerts run")
            .Produces<AlertsResponse>();
        group.MapGet("/trends", Trends)
            .WithSummary("Trends over the last ?hours= (1..24, default 1): per metric and subject, a least-squares line's rate per hour and direction")
            .Produces<TrendsResponse>();
        return group;
    }

    private static async Task<JsonHttpResult<AlertsResponse>> Alerts(
        [FromQuery, Description("active, resolved or all (default)")] string? state,
        [FromQuery, Description("At most this many alerts, 1..1000 (default 100); active ones come first")] string? limit,
        IGrainFactory grains)
    {
        var filter = state?.Trim().ToLowerInvariant() switch
        {
            null or "all" => AlertStateFilter.All,
            "active" => AlertStateFilter.Active,
            "resolved" => AlertStateFilter.Resolved,
            _ => throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "state must be active, resolved or all."),
        };
        int count = WorkersApi.Number(limit, "limit", DefaultLimit, 1, MaxLimit);
        var report = await Evaluator(grains).GetAlerts(filter, count);
        return TypedResults.Json(AlertsMapping.ToResponse(report), ApiJson.Options);
    }

    private static async Task<JsonHttpResult<TrendsResponse>> Trends(
        [FromQuery, Description("The window: the last N hours, 1..24 (default 1)")] string? hours,
        IGrainFactory grains)
    {
        int window = WorkersApi.Number(hours, "hours", 1, 1, MaxTrendHours);
        var report = await Evaluator(grains).GetTrends(TimeSpan.FromHours(window));
        return TypedResults.Json(AlertsMapping.ToResponse(report, window), ApiJson.Options);
    }

    private static IAlertGrain Evaluator(IGrainFactory grains) => grains.GetGrain<IAlertGrain>(IAlertGrain.Key);
}

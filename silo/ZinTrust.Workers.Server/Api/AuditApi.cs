using System.Globalization;
using Microsoft.Extensions.Primitives;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// <c>/api/audit</c> (admin): the audit log's records with filters and a cursor, and a walk of its hash chain. Nothing here
/// changes or deletes a record.
/// </summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(ApiSecurity.Admin)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", List)
            .WithSummary("Audit records, oldest first (?actor=&action=&target=&outcome=&from=&to= ISO 8601, after = the previous page's next, limit 1..1000, default 100)")
            .Produces<AuditPageResponse>();
        group.MapGet("/verify", Verify)
            .WithSummary("Walk the hash chain (whole, or ?from=&to= sequences) and say whether every record holds")
            .Produces<AuditVerifyResponse>();
        return group;
    }

    private static async Task<IResult> List(HttpContext http, IGrainFactory grains)
    {
        var query = http.Request.Query;
        var outcome = Text(query["outcome"]);
        if (outcome is not (null or AuditOutcomes.Success or AuditOutcomes.Denied or AuditOutcomes.Failed))
        {
            throw Invalid("outcome must be success, denied or failed.");
        }

        int limit = (int)(Number(query["limit"], "limit", 1, AuditQuery.MaxLimit) ?? AuditQuery.DefaultLimit);
        var page = await grains.GetGrain<IAuditLogGrain>(0).Query(new AuditQuery
        {
            Actor = Text(query["actor"]),
            Action = Text(query["action"]),
            Target = Text(query["target"]),
            Outcome = outcome,
            From = Time(query["from"], "from"),
            To = Time(query["to"], "to"),
            After = Number(query["after"], "after", 0, long.MaxValue) ?? 0,
            Limit = limit,
        });
        return TypedResults.Json(new AuditPageResponse([.. page.Records.Select(ToResponse)], page.Next), ApiJson.Options);
    }

    private static async Task<IResult> Verify(HttpContext http, IGrainFactory grains)
    {
        var query = http.Request.Query;
        long? from = Number(query["from"], "from", 1, long.MaxValue);
        long? to = Number(query["to"], "to", 1, long.MaxValue);
        if (from > to)
        {
            throw Invalid("from must not be above to.");
        }

        var result = await grains.GetGrain<IAuditLogGrain>(0).Verify(from, to);
        return TypedResults.Json(new AuditVerifyResponse(result.Valid, result.Checked, result.FirstBad, result.Reason), ApiJson.Options);
    }

    private static AuditRecordResponse ToResponse(AuditRecord r) =>
        new(r.Sequence, r.At, r.Actor, r.Role, r.Action, r.Target, r.Outcome, r.ClientAddress, r.CorrelationId, r.Details, r.PreviousHash, r.Hash);

    private static string? Text(StringValues value) => value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];

    private static long? Number(StringValues value, string name, long min, long max)
    {
        if (Text(value) is not { } raw)
        {
            return null;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Invalid($"{name} must be a whole number from {min} to {max}.");
    }

    private static DateTimeOffset? Time(StringValues value, string name)
    {
        if (Text(value) is not { } raw)
        {
            return null;
        }

        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw Invalid($"{name} must be an ISO 8601 time, such as 2026-05-01T12:00:00Z.");
    }

    private static ApiException Invalid(string message) => ApiErrors.BadRequest(ApiErrors.InvalidQuery, message);
}

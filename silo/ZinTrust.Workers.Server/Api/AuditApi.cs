using System.Globalization;
using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
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

    private static async Task<IResult> List(
        IGrainFactory grains,
        [FromQuery, Description("Records of this actor (an API key's name, or anonymous)")] string? actor,
        [FromQuery, Description("Records of this action (such as workers.start)")] string? action,
        [FromQuery, Description("Records of this target (a worker, queue or job)")] string? target,
        [FromQuery, Description("success | denied | failed")] string? outcome,
        [FromQuery, Description("Records at or after this ISO 8601 time")] string? from,
        [FromQuery, Description("Records at or before this ISO 8601 time")] string? to,
        [FromQuery, Description("Records after this sequence (the previous page's next)")] string? after,
        [FromQuery, Description("Records to return, 1..1000 (default 100)")] string? limit)
    {
        outcome = Text(outcome);
        if (outcome is not (null or AuditOutcomes.Success or AuditOutcomes.Denied or AuditOutcomes.Failed))
        {
            throw Invalid("outcome must be success, denied or failed.");
        }

        var page = await grains.GetGrain<IAuditLogGrain>(0).Query(new AuditQuery
        {
            Actor = Text(actor),
            Action = Text(action),
            Target = Text(target),
            Outcome = outcome,
            From = Time(from, "from"),
            To = Time(to, "to"),
            After = Number(after, "after", 0, long.MaxValue) ?? 0,
            Limit = (int)(Number(limit, "limit", 1, AuditQuery.MaxLimit) ?? AuditQuery.DefaultLimit),
        });
        return TypedResults.Json(new AuditPageResponse([.. page.Records.Select(ToResponse)], page.Next), ApiJson.Options);
    }

    private static async Task<IResult> Verify(
        IGrainFactory grains,
        [FromQuery(Name = "from"), Description("The first sequence to check (default: the log's anchor)")] string? fromText,
        [FromQuery(Name = "to"), Description("The last sequence to check (default: the head)")] string? toText)
    {
        long? from = Number(fromText, "from", 1, long.MaxValue);
        long? to = Number(toText, "to", 1, long.MaxValue);
        if (from > to)
        {
            throw Invalid("from must not be above to.");
        }

        var result = await grains.GetGrain<IAuditLogGrain>(0).Verify(from, to);
        return TypedResults.Json(new AuditVerifyResponse(result.Valid, result.Checked, result.FirstBad, result.Reason), ApiJson.Options);
    }

    private static AuditRecordResponse ToResponse(AuditRecord r) =>
        new(r.Sequence, r.At, r.Actor, r.Role, r.Action, r.Target, r.Outcome, r.ClientAddress, r.CorrelationId, r.Details, r.PreviousHash, r.Hash);

    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static long? Number(string? value, string name, long min, long max)
    {
        if (Text(value) is not { } raw)
        {
            return null;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Invalid($"{name} must be a whole number from {min} to {max}.");
    }

    private static DateTimeOffset? Time(string? value, string name)
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

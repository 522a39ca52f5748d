using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/schedules: recurring jobs (cron or interval) with their policies, pause and resume, trigger and backfill.</summary>
public static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules").WithTags("Schedules").ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", List).WithSummary("Every schedule with its next run time, pause and counters").Produces<ScheduleListResponse>();
        group.MapPost("/", (HttpContext http, IGrainFactory grains, CancellationToken ct) => Put(null, http, grains, ct))
            .WithSummary("Create a schedule: id, queue, cron (+ timeZone) or everyMs (+ offsetMs), payload, job options, overlap, catchupWindowMs, pauseOnFailure, jitterMs, startAt, endAt")
            .Accepts<ScheduleRequest>("application/json").Produces<ScheduleAnswer>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(ApiSecurity.Admin);
        group.MapGet("/{id}", async Task<Ok<ScheduleDetailAnswer>> (string id, IGrainFactory grains) =>
                TypedResults.Ok(new ScheduleDetailAnswer(true, ScheduleMapping.ToResponse(await Existing(grains, id)))))
            .WithSummary("One schedule with its latest occurrences").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", (string id, HttpContext http, IGrainFactory grains, CancellationToken ct) => Put(id, http, grains, ct))
            .WithSummary("Create or replace a schedule (its counters stay; the next run time is computed again)")
            .Accepts<ScheduleRequest>("application/json").Produces<ScheduleAnswer>().RequireAuthorization(ApiSecurity.Admin);
        group.MapDelete("/{id}", async Task<Ok<MessageResponse>> (string id, HttpContext http, IGrainFactory grains) =>
            {
                Check(id);
                if (!await grains.GetGrain<IScheduleGrain>(id).Delete(http.CallerName()))
                {
                    throw NotFound(id);
                }

                return TypedResults.Ok(new MessageResponse(true, $"Schedule '{id}' deleted; its jobs stay."));
            })
            .WithSummary("Delete a schedule (its jobs stay)").ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/{id}/pause", (string id, HttpContext http, IGrainFactory grains, CancellationToken ct) =>
                Note(id, http, grains, (s, by, note) => s.Pause(by, note), "paused", ct))
            .WithSummary("Stop firing ({\"note\"}: why; occurrences while paused do not run later)").Produces<ScheduleAnswer>().RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{id}/resume", (string id, HttpContext http, IGrainFactory grains, CancellationToken ct) =>
                Note(id, http, grains, (s, by, note) => s.Resume(by, note), "resumed", ct))
            .WithSummary("Fire again from the next occurrence after now").Produces<ScheduleAnswer>().RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{id}/trigger", async (string id, HttpContext http, IGrainFactory grains) =>
            {
                Check(id);
                var fire = await grains.GetGrain<IScheduleGrain>(id).Trigger(http.CallerName());
                return Results.Json(new ScheduleFiresResponse(true, $"Schedule '{id}' triggered: job {fire.JobId}.", [ScheduleMapping.ToResponse(fire)]), ApiJson.Options);
            })
            .WithSummary("Enqueue one job now (also while paused)").Produces<ScheduleFiresResponse>().RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/{id}/backfill", Backfill)
            .WithSummary("Enqueue every occurrence in a past range ({\"from\", \"to\"}, at most 1,000); occurrences that ran are not run again")
            .Accepts<ScheduleBackfillRequest>("application/json").Produces<ScheduleFiresResponse>().RequireAuthorization(ApiSecurity.Operator);
        return group;
    }

    private static async Task<IResult> List(IGrainFactory grains)
    {
        var ids = await grains.GetGrain<IScheduleDirectoryGrain>(0).List();
        var schedules = await Task.WhenAll(ids.Select(id => grains.GetGrain<IScheduleGrain>(id).Get()));
        var found = schedules.OfType<ScheduleInfo>().Select(ScheduleMapping.ToResponse).ToArray();
        return Results.Json(new ScheduleListResponse(true, found, found.Length), ApiJson.Options);
    }

    private static async Task<IResult> Put(string? id, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ScheduleRequest>(http.Request, cancellationToken);
        if (id is not null && body.Id is not null && body.Id != id)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidSchedule, $"id '{body.Id}' in the body is not the route's ('{id}').");
        }

        id ??= body.Id;
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(body.Queue))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "id and queue are required.");
        }

        Check(id);
        var definition = ScheduleMapping.ToDefinition(id, body);
        var replace = HttpMethods.IsPut(http.Request.Method);
        var schedule = grains.GetGrain<IScheduleGrain>(id);
        var existed = replace && await schedule.Get() is not null;
        var info = await schedule.Put(definition, replace, http.CallerName());
        var answer = new ScheduleAnswer(true, $"Schedule '{id}' {(existed ? "replaced" : "created")}; next run {Next(info)}.", ScheduleMapping.ToResponse(info));
        return ApiJson.CreatedOrOk(!existed, answer, $"/api/schedules/{Uri.EscapeDataString(id)}");
    }

    private static async Task<IResult> Note(string id, HttpContext http, IGrainFactory grains,
        Func<IScheduleGrain, string?, string?, Task<ScheduleInfo>> act, string done, CancellationToken cancellationToken)
    {
        Check(id);
        var raw = await ApiJson.ReadBodyAsync(http.Request, required: false, cancellationToken);
        var body = raw.Length == 0 ? new ScheduleNoteRequest() : ApiJson.Deserialize<ScheduleNoteRequest>(raw);
        if (body.Note is { Length: > 500 })
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidSchedule, "note is at most 500 characters.");
        }

        var info = await act(grains.GetGrain<IScheduleGrain>(id), http.CallerName(), body.Note);
        return Results.Json(new ScheduleAnswer(true, $"Schedule '{id}' {done}; next run {Next(info)}.", ScheduleMapping.ToResponse(info)), ApiJson.Options);
    }

    private static async Task<IResult> Backfill(string id, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        Check(id);
        var body = await ApiJson.ReadAsync<ScheduleBackfillRequest>(http.Request, cancellationToken);
        if (body.From is not { } from || body.To is not { } to)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "from and to are required (ISO 8601).");
        }

        var fires = await grains.GetGrain<IScheduleGrain>(id).Backfill(from, to, http.CallerName());
        return Results.Json(new ScheduleFiresResponse(true, $"Schedule '{id}' backfilled: {fires.Count} occurrence(s).", [.. fires.Select(ScheduleMapping.ToResponse)]), ApiJson.Options);
    }

    private static async Task<ScheduleInfo> Existing(IGrainFactory grains, string id)
    {
        Check(id);
        return await grains.GetGrain<IScheduleGrain>(id).Get() ?? throw NotFound(id);
    }

    private static void Check(string id)
    {
        if (!WorkerValidation.IsValidName(id))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidSchedule, "id must match ^[a-zA-Z0-9_-]{3,50}$.");
        }
    }

    private static ApiException NotFound(string id) => ApiErrors.NotFound(WorkersErrorCodes.ScheduleNotFound, $"Schedule '{id}' was not found.");

    private static string Next(ScheduleInfo info) => info.NextRunAt is { } next ? next.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "none (paused or ended)";
}

/// <summary>Schedules between the API's JSON (milliseconds) and the grain's contracts.</summary>
internal static class ScheduleMapping
{
    public static ScheduleDefinition ToDefinition(string id, ScheduleRequest body)
    {
        var overlap = body.Overlap?.Trim().ToLowerInvariant() switch
        {
            null or "skip" => ScheduleOverlap.Skip,
            "bufferone" or "buffer_one" or "buffer-one" => ScheduleOverlap.BufferOne,
            "allowall" or "allow_all" or "allow-all" => ScheduleOverlap.AllowAll,
            "cancelother" or "cancel_other" or "cancel-other" => ScheduleOverlap.CancelOther,
            _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidSchedule, "overlap must be skip, bufferOne, allowAll or cancelOther."),
        };
        int? priority = body.Priority.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            ? null
            : ApiMapping.ParsePriority(body.Priority) ?? throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidPriority, "priority must be critical, high, normal, low or 0..100.");
        return new ScheduleDefinition
        {
            Id = id,
            Queue = body.Queue!,
            Cron = body.Cron,
            TimeZone = body.TimeZone,
            Every = Ms(body.EveryMs, "everyMs"),
            Offset = Ms(body.OffsetMs, "offsetMs") ?? TimeSpan.Zero,
            Payload = body.Payload is { } payload ? payload.GetRawText() : "null",
            JobName = body.JobName,
            Priority = priority,
            Attempts = body.Attempts,
            Timeout = Ms(body.TimeoutMs, "timeoutMs"),
            Overlap = overlap,
            CatchupWindow = Ms(body.CatchupWindowMs, "catchupWindowMs") ?? TimeSpan.FromMinutes(1),
            PauseOnFailure = body.PauseOnFailure ?? false,
            Jitter = Ms(body.JitterMs, "jitterMs") ?? TimeSpan.Zero,
            StartAt = body.StartAt,
            EndAt = body.EndAt,
        };
    }

    public static ScheduleResponse ToResponse(ScheduleInfo info)
    {
        var d = info.Definition;
        return new ScheduleResponse(
            d.Id, d.Queue, d.Cron, d.TimeZone, d.Every?.TotalMilliseconds, d.Offset.TotalMilliseconds, Payload(d.Payload), d.JobName, d.Priority, d.Attempts,
            d.Timeout?.TotalMilliseconds, Overlap(d.Overlap), d.CatchupWindow.TotalMilliseconds, d.PauseOnFailure, d.Jitter.TotalMilliseconds, d.StartAt, d.EndAt,
            info.NextRunAt, info.Paused, info.PausedBy, info.PauseNote, info.PausedAt, info.LastOccurrence, info.LastJobId, info.Enqueued, info.Skipped, info.Missed,
            info.Buffered, info.CreatedAt, info.UpdatedAt, [.. info.Recent.Select(ToResponse)], info.Silo);
    }

    public static ScheduleFireResponse ToResponse(ScheduleFire fire) => new(fire.Occurrence, fire.At, fire.Outcome, fire.JobId, fire.Note);

    private static string Overlap(ScheduleOverlap overlap) => overlap switch
    {
        ScheduleOverlap.BufferOne => "bufferOne",
        ScheduleOverlap.AllowAll => "allowAll",
        ScheduleOverlap.CancelOther => "cancelOther",
        _ => "skip",
    };

    private static JsonElement? Payload(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static TimeSpan? Ms(long? value, string field) => value switch
    {
        null => null,
        < 0 or > 31_622_400_000 => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidSchedule, $"{field} must be 0 .. 31622400000 ms."),
        { } ms => TimeSpan.FromMilliseconds(ms),
    };
}

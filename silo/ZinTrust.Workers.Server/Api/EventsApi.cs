using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// <c>GET /api/events</c>: the silo's job events as Server-Sent Events (the transitions of the queues whose grains run on this
/// silo, as they become durable). Filters: <c>queue</c>, <c>worker</c> and <c>type</c>, each a comma-separated list. Each
/// event's id is <c>{feed}-{n}</c>; a client that reconnects with <c>Last-Event-ID</c> (or <c>?lastEventId=</c>) gets what it
/// missed while that is still in the silo's window, else an event <c>missed</c> first. A client that falls too far behind
/// gets an event <c>lagged</c> and the stream ends (reconnect to resume). A comment every 15 s keeps idle connections open.
/// </summary>
public static class EventsApi
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization(ApiSecurity.Viewer)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", StreamAsync)
            .WithSummary("Job events as Server-Sent Events (?queue=&worker=&type=, comma-separated; Last-Event-ID resumes)")
            .Produces<JobEventResponse>(StatusCodes.Status200OK, "text/event-stream");   // each event's data
        return group;
    }

    private static async Task StreamAsync(
        HttpContext http,
        JobEventFeed feed,
        [FromQuery, Description("Events of these queues (comma-separated)")] string? queue,
        [FromQuery, Description("Events of these workers (comma-separated)")] string? worker,
        [FromQuery, Description("Events of these kinds (comma-separated: enqueued, started, completed, failed, retried, ...)")] string? type,
        [FromQuery, Description("Resume after this event id (as the Last-Event-ID header, which wins)")] string? lastEventId)
    {
        var filter = Filter(queue, worker, type);
        var lastId = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId;
        long? after = null;
        bool foreign = false;
        if (lastId is { Length: > 0 })
        {
            after = ParseId(lastId, feed.Instance);
            foreign = after is null;
        }

        using var subscription = feed.Subscribe(foreign ? null : after, filter);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var ct = http.RequestAborted;
        var text = new StringBuilder("retry: 2000\n\n");
        if (subscription.Missed || foreign)
        {
            // The events since the client's last one are no longer kept here (or its id is from another silo or process).
            text.Append("event: missed\ndata: {\"resumedAt\":\"").Append(feed.Instance).Append('-').Append(feed.Last.ToString(CultureInfo.InvariantCulture)).Append("\"}\n\n");
        }

        foreach (var entry in subscription.Backlog)
        {
            Append(text, entry, feed.Instance);
        }

        await WriteAsync(response, text, ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await subscription.Live.WaitToReadAsync(beat.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    text.Append(": keep-alive\n\n");
                    await WriteAsync(response, text, ct);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (subscription.Live.TryRead(out var entry))
                {
                    Append(text, entry, feed.Instance);
                }

                await WriteAsync(response, text, ct);
            }
        }
        catch (FeedLaggedException)
        {
            text.Append("event: lagged\ndata: {}\n\n");
            await WriteAsync(response, text, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static Func<JobEvent, bool> Filter(string? queue, string? worker, string? typeList)
    {
        var queues = List(queue);
        var workers = List(worker);
        var types = List(typeList);
        HashSet<JobEventKind>? kinds = null;
        if (types is not null)
        {
            kinds = [];
            foreach (var type in types)
            {
                if (!Enum.TryParse<JobEventKind>(type, ignoreCase: true, out var kind) || int.TryParse(type, out _))
                {
                    throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, $"type must be among {string.Join(", ", Enum.GetValues<JobEventKind>().Select(ApiMapping.Name))}.");
                }

                kinds.Add(kind);
            }
        }

        foreach (var name in queues ?? [])
        {
            if (WorkerValidation.CheckQueueName(name) is { } error)
            {
                throw error.ToException();
            }
        }

        return change => (queues is null || queues.Contains(change.Queue))
            && (workers is null || (change.Worker is { } worker && workers.Contains(worker)))
            && (kinds is null || kinds.Contains(change.Kind));
    }

    private static HashSet<string>? List(string? value) =>
        value is { Length: > 0 } raw
            ? raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : null;

    /// <summary>The number in an id of this feed, or null for an id of another silo or process.</summary>
    private static long? ParseId(string id, string instance) =>
        id.StartsWith(instance + "-", StringComparison.Ordinal) && long.TryParse(id.AsSpan(instance.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    private static void Append(StringBuilder text, JobEventFeed.Entry entry, string instance)
    {
        var change = entry.Event;
        var body = new JobEventResponse(
            ApiMapping.Name(change.Kind),
            change.JobId,
            change.Queue,
            change.From is { } from ? ApiMapping.Name(from) : null,
            change.To is { } to ? ApiMapping.Name(to) : null,
            change.At,
            change.Attempt,
            change.LeaseToken,
            change.Replica,
            change.Worker,
            change.Reason,
            change.Error,
            change.Progress);
        text.Append("id: ").Append(instance).Append('-').Append(entry.Id.ToString(CultureInfo.InvariantCulture))
            .Append("\nevent: ").Append(body.Kind)
            .Append("\ndata: ").Append(JsonSerializer.Serialize(body, ApiJson.Options)).Append("\n\n");
    }

    private static async Task WriteAsync(HttpResponse response, StringBuilder text, CancellationToken ct)
    {
        if (text.Length == 0)
        {
            return;
        }

        await response.WriteAsync(text.ToString(), ct);
        await response.Body.FlushAsync(ct);
        text.Clear();
    }
}

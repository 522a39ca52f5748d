using System.Diagnostics;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The system's spans (<see cref="ActivitySource"/> <c>ZinTrust.Workers</c>): a producer span where jobs are enqueued (REST,
/// the client library, in the silo) whose context travels in each job's envelope (<c>traceparent</c>, <c>tracestate</c>),
/// and a consumer span per attempt that continues it, with OpenTelemetry's messaging attributes. Payloads, results,
/// idempotency keys and headers other than trace context never become attributes. Without a listener nothing is created.
/// </summary>
public static class WorkersActivity
{
    public const string SourceName = "ZinTrust.Workers";

    /// <summary><c>messaging.system</c> of every span.</summary>
    public const string System = "zintrust";

    public static ActivitySource Source { get; } = new(SourceName, typeof(WorkersActivity).Assembly.GetName().Version?.ToString());

    /// <summary>A producer span for sending <paramref name="count"/> jobs to <paramref name="queue"/> (a child of the current
    /// span), or null when nobody listens.</summary>
    public static Activity? StartEnqueue(string queue, int count, string? silo = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"send {queue}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", System);
            activity.SetTag("messaging.destination.name", queue);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "enqueue");
            if (count != 1)
            {
                activity.SetTag("messaging.batch.message_count", count);
            }

            if (silo is not null)
            {
                activity.SetTag("zintrust.silo", silo);
            }
        }

        return activity;
    }

    /// <summary>
    /// Sends through <paramref name="send"/> inside a producer span (when anybody listens), which it hands the request's
    /// envelope to (<see cref="WithContext"/>); a failure marks the span with its error code, never its message.
    /// </summary>
    public static async Task<T> SendAsync<T>(string queue, int count, string? silo, Func<Activity?, Task<T>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        using var activity = StartEnqueue(queue, count, silo);
        try
        {
            return await send(activity).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            RecordFailure(activity, ex);
            throw;
        }
    }

    /// <summary>The request with <paramref name="activity"/>'s context in its envelope (see <see cref="Inject"/>).</summary>
    public static EnqueueRequest WithContext(this EnqueueRequest request, Activity? activity)
    {
        ArgumentNullException.ThrowIfNull(request);
        return activity is null ? request : request with { Headers = Inject(activity, request.Headers) };
    }

    /// <summary>Marks a span failed with the error's stable code (<see cref="WorkersException.Code"/>) or its type: exception
    /// messages may quote what a job carried, so they stay out of spans.</summary>
    public static void RecordFailure(Activity? activity, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (activity is null)
        {
            return;
        }

        var type = error is WorkersException { Code: { } code } ? code : error.GetType().FullName;
        activity.SetStatus(ActivityStatusCode.Error, type);
        activity.SetTag("error.type", type);
    }

    /// <summary>
    /// The job's envelope with <paramref name="activity"/>'s context added (W3C <c>traceparent</c> and <c>tracestate</c>),
    /// unless it already carries a trace context or there is no span.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Inject(Activity? activity, IReadOnlyDictionary<string, string>? headers)
    {
        if (activity is null || (headers is not null && headers.ContainsKey(JobHeaders.TraceParent)))
        {
            return headers;
        }

        var envelope = headers is null ? new Dictionary<string, string>(2, StringComparer.Ordinal) : new Dictionary<string, string>(headers, StringComparer.Ordinal);
        envelope[JobHeaders.TraceParent] = activity.Id!;
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            envelope[JobHeaders.TraceState] = state;
        }

        return envelope;
    }

    /// <summary>The trace context a job's envelope carries, or null.</summary>
    public static ActivityContext? Extract(IReadOnlyDictionary<string, string>? headers) =>
        headers is not null && headers.TryGetValue(JobHeaders.TraceParent, out var parent)
        && ActivityContext.TryParse(parent, headers.GetValueOrDefault(JobHeaders.TraceState), isRemote: true, out var context)
            ? context
            : null;
}

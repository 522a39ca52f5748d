using System.Collections.Concurrent;
using System.Diagnostics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The outermost filter when spans are listened to: a consumer span per attempt (<c>process {queue}</c>), a child of the
/// producer span whose context the job's envelope carries (and linked to it), with OpenTelemetry's messaging attributes and
/// the attempt number; a failed attempt records its error's type. Nothing of the payload, result, key, other headers or
/// error messages.
/// </summary>
internal sealed class TracingJobFilter(string silo) : IJobFilter
{
    // Span names per queue, made once rather than per attempt (the silo's queues are few).
    private readonly ConcurrentDictionary<string, string> spanNames = new(StringComparer.Ordinal);

    public async ValueTask<JobAttemptResult> InvokeAsync(JobContext context, JobAttemptDelegate next)
    {
        var producer = WorkersActivity.Extract(context.Headers);
        var name = spanNames.GetOrAdd(context.Queue, static queue => $"process {queue}");

        // The replica's loops carry whatever span was current when they started: an attempt belongs to its job's trace, as the
        // producer span's child and linked to it (the messaging conventions' link, for tools that follow links, not parents).
        Activity.Current = null;
        using var activity = WorkersActivity.Source.StartActivity(
            name,
            ActivityKind.Consumer,
            producer ?? default,
            links: producer is { } link ? [new ActivityLink(link)] : null);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", WorkersActivity.System);
            activity.SetTag("messaging.destination.name", context.Queue);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.message.id", context.JobId);
            activity.SetTag("messaging.consumer.group.name", context.WorkerName);
            if (context.WorkerVersion is { } version)
            {
                activity.SetTag("zintrust.worker.version", version);
            }

            activity.SetTag("zintrust.job.attempt", context.Attempt);
            activity.SetTag("zintrust.silo", silo);
        }

        var result = await next(context).ConfigureAwait(false);
        if (activity is not null)
        {
            switch (result.Kind)
            {
                case JobAttemptResultKind.Failed:
                    // The error's type, not its message: a processor's message may quote its payload.
                    WorkersActivity.RecordFailure(activity, result.Error!);
                    break;
                case JobAttemptResultKind.Deferred:
                    activity.SetTag("zintrust.job.deferred", true);
                    break;
            }
        }

        return result;
    }
}

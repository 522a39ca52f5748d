namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Receives jobs' transitions once they are durable, in commit order per queue (register with the workers builder's
/// <c>AddEventSink</c>). It runs off the queue's turn, one batch at a time: a sink that is slow falls behind alone (its
/// backlog is bounded; past it, batches are dropped, counted and logged), and one that throws is logged and goes on.
/// Neither ever delays or fails a commit.
/// </summary>
public interface IJobEventSink
{
    ValueTask OnEventsAsync(IReadOnlyList<JobEvent> events, CancellationToken cancellationToken);
}

using System.Diagnostics.Metrics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A queue's counters, counted from its events once they are durable (each transition once; a failed write counts nothing):
/// the queue's own <see cref="QueueCounters"/> since its activation, and the process-wide <see cref="WorkersInstruments"/>.
/// </summary>
internal sealed class QueueMetrics(string queue, DateTimeOffset since)
{
    private readonly KeyValuePair<string, object?> tag = new(WorkersInstruments.QueueTag, queue);

    private long enqueued, completed, retried, deadLettered, stalled, cancelled, deadLettersDropped, refused;

    /// <summary>The counts since <c>since</c> (a snapshot, made when asked: counting happens once per committed batch).</summary>
    public QueueCounters Counters => new()
    {
        Since = since,
        Enqueued = enqueued,
        Completed = completed,
        Retried = retried,
        DeadLettered = deadLettered,
        Stalled = stalled,
        Cancelled = cancelled,
        DeadLettersDropped = deadLettersDropped,
        Refused = refused,
    };

    public void Record(IReadOnlyList<JobEvent> events)
    {
        long enqueuedNow = 0, completedNow = 0, retriedNow = 0, deadNow = 0, stalledNow = 0, cancelledNow = 0, droppedNow = 0;
        foreach (var change in events)
        {
            if (change.Waited is { } waited)
            {
                WorkersInstruments.QueueTime.Record(waited.TotalMilliseconds, tag);
            }

            if (change.Held is { } held)
            {
                WorkersInstruments.LeaseAge.Record(held.TotalMilliseconds, tag);
            }

            switch (change.Kind)
            {
                case JobEventKind.Enqueued: enqueuedNow++; break;
                case JobEventKind.Completed: completedNow++; break;
                case JobEventKind.Retried: retriedNow++; break;
                case JobEventKind.Stalled: stalledNow++; break;
                case JobEventKind.Cancelled: cancelledNow++; break;
                case JobEventKind.DeadLettered:
                    deadNow++;
                    stalledNow += change.Reason == JobFailureReasons.Stalled ? 1 : 0;   // its lease expired one time too many
                    break;
                case JobEventKind.Deleted when change.Reason == JobDeletionReasons.DeadLetterBound: droppedNow++; break;
            }
        }

        enqueued += Add(WorkersInstruments.Enqueued, enqueuedNow);
        completed += Add(WorkersInstruments.Completed, completedNow);
        retried += Add(WorkersInstruments.Retried, retriedNow);
        deadLettered += Add(WorkersInstruments.DeadLettered, deadNow);
        stalled += Add(WorkersInstruments.Stalled, stalledNow);
        cancelled += Add(WorkersInstruments.Cancelled, cancelledNow);
        deadLettersDropped += Add(WorkersInstruments.DeadLettersDropped, droppedNow);
    }

    public void Refused(int jobs) => refused += Add(WorkersInstruments.Refused, jobs);

    private long Add(Counter<long> counter, long value)
    {
        if (value > 0)
        {
            counter.Add(value, tag);
        }

        return value;
    }
}

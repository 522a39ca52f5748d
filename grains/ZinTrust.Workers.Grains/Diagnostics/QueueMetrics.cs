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

    public QueueCounters Counters { get; private set; } = new() { Since = since };

    public void Record(IReadOnlyList<JobEvent> events)
    {
        long enqueued = 0, completed = 0, retried = 0, dead = 0, stalled = 0, cancelled = 0, dropped = 0;
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
                case JobEventKind.Enqueued: enqueued++; break;
                case JobEventKind.Completed: completed++; break;
                case JobEventKind.Retried: retried++; break;
                case JobEventKind.Stalled: stalled++; break;
                case JobEventKind.Cancelled: cancelled++; break;
                case JobEventKind.DeadLettered:
                    dead++;
                    stalled += change.Reason == JobFailureReasons.Stalled ? 1 : 0;   // its lease expired one time too many
                    break;
                case JobEventKind.Deleted when change.Reason == JobDeletionReasons.DeadLetterBound: dropped++; break;
            }
        }

        Counters = Counters with
        {
            Enqueued = Counters.Enqueued + Add(WorkersInstruments.Enqueued, enqueued),
            Completed = Counters.Completed + Add(WorkersInstruments.Completed, completed),
            Retried = Counters.Retried + Add(WorkersInstruments.Retried, retried),
            DeadLettered = Counters.DeadLettered + Add(WorkersInstruments.DeadLettered, dead),
            Stalled = Counters.Stalled + Add(WorkersInstruments.Stalled, stalled),
            Cancelled = Counters.Cancelled + Add(WorkersInstruments.Cancelled, cancelled),
            DeadLettersDropped = Counters.DeadLettersDropped + Add(WorkersInstruments.DeadLettersDropped, dropped),
        };
    }

    /// <summary>Enqueues refused because the queue was full (not a transition: nothing was stored).</summary>
    public void Refused(int jobs) => Counters = Counters with { Refused = Counters.Refused + Add(WorkersInstruments.Refused, jobs) };

    private long Add(Counter<long> counter, long value)
    {
        if (value > 0)
        {
            counter.Add(value, tag);
        }

        return value;
    }
}

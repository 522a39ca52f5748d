namespace ZinTrust.Workers.Abstractions;

/// <summary>What happened to a job. Each kind is one transition of the job state machine, published once it is durable.</summary>
[GenerateSerializer, Alias("zt.JobEventKind")]
public enum JobEventKind
{
    /// <summary>Accepted into the queue (waiting, or delayed).</summary>
    Enqueued = 0,

    /// <summary>Handed to a replica under a new lease (waiting → active).</summary>
    Leased = 1,

    /// <summary>The running attempt reported progress.</summary>
    Progressed = 2,

    /// <summary>The processor returned a result (active → completed).</summary>
    Completed = 3,

    /// <summary>An attempt failed and another follows (active → waiting, or delayed by the backoff).</summary>
    Retried = 4,

    /// <summary>Moved to the dead-letter set: attempts spent, unrecoverable, or stalled too often (→ failed).</summary>
    DeadLettered = 5,

    /// <summary>A lease expired (its holder died or hung); the job waits again (active → waiting).</summary>
    Stalled = 6,

    /// <summary>A replica handed the job back unstarted or on a graceful stop; the attempt does not count (active → waiting).</summary>
    Released = 7,

    /// <summary>A plugin or an open circuit deferred the attempt; it does not count (active → waiting or delayed).</summary>
    Deferred = 8,

    /// <summary>Cancelled while waiting, delayed or running (→ cancelled).</summary>
    Cancelled = 9,

    /// <summary>A delayed job became due (delayed → waiting).</summary>
    Promoted = 10,

    /// <summary>An operator retried a dead letter (failed → waiting).</summary>
    Revived = 11,

    /// <summary>Deleted: pruned, past retention, or over the dead-letter bound.</summary>
    Deleted = 12,
}

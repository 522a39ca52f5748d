using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// One job in a queue's index: what ordering, state checks and the oldest-waiting age need (88 bytes). The full record is kept while the job
/// is active, dead-lettered or finished (<see cref="Record"/>); waiting and delayed jobs are read back from the job store
/// when they are leased, promoted, cancelled or shown, so their payloads do not sit in the silo's memory (but for a
/// bounded few read ahead of the next leases).
/// </summary>
internal sealed class JobEntry(JobKey key)
{
    public JobKey Key { get; } = key;

    public string Id => Key.Id;

    private byte state;

    /// <summary>The state of the job's latest record (staged or stored).</summary>
    public JobState State
    {
        get => (JobState)state;
        set => state = (byte)value;
    }

    /// <summary>Changes with every new record of the job, so a record read from the store can be checked for staleness.</summary>
    public int Version { get; set; }

    /// <summary>The order within the job's state: −priority (waiting), run-at (delayed), lease deadline (active) or finish time, in ticks.</summary>
    public long Primary { get; set; }

    /// <summary>The job's enqueue sequence: FIFO among equal <see cref="Primary"/> values.</summary>
    public long Sequence { get; set; }

    /// <summary>While the job waits: when it became waiting (UTC ticks of the record that moved it there), for the queue's
    /// oldest-waiting age; kept when a waiting job's record is replaced without leaving the state.</summary>
    public long WaitingSince { get; set; }

    /// <summary>The latest record when the job is active, dead-lettered or finished; for a waiting or delayed job only while it
    /// is about to be leased (read ahead, or just promoted), within a bounded budget; otherwise null.</summary>
    public JobRecord? Record { get; set; }

    /// <summary>The job's group while the job is waiting or active and has one; null otherwise.</summary>
    public JobGroup? Group { get; set; }

    /// <summary>Taken out of its ordered set while an operation reads its record from the store; nothing else may move it meanwhile.</summary>
    public bool Reserved { get; set; }

    /// <summary>Whether jobs in <paramref name="state"/> keep their full record in memory.</summary>
    public static bool KeepsRecord(JobState state) => state is not (JobState.Waiting or JobState.Delayed);
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A queue's in-memory index: every job by id plus ordered sets per state. Each operation is O(log n),
/// so per-job cost does not grow with queue depth. Not thread-safe: owned by one queue grain activation.
/// </summary>
/// <remarks>
/// Compact by design (about 160 bytes per waiting job): a waiting or delayed job is a <see cref="JobEntry"/> without
/// its record, found through a hash set of entries (no separate key objects) and ordered by a sorted set of the same
/// entries. Active, dead-lettered and finished jobs keep their records (bounded by concurrency and retention).
/// </remarks>
internal sealed class QueueIndex
{
    private static readonly EntryOrder Order = new();
    private readonly HashSet<JobEntry> jobs = new(new EntryIds());
    private readonly HashSet<JobEntry>.AlternateLookup<JobKey> byKey;
    private readonly SortedSet<JobEntry> waiting = new(Order);   // (−priority, sequence): highest priority first, FIFO within one
    private readonly SortedSet<JobEntry> delayed = new(Order);   // (run-at, sequence)
    private readonly SortedSet<JobEntry> leases = new(Order);    // (lease deadline, sequence)
    private readonly SortedSet<JobEntry> failed = new(Order);    // (finished-at, sequence): the dead-letter set
    private readonly SortedSet<JobEntry> finished = new(Order);  // (finished-at, sequence): completed and cancelled, for retention
    private readonly int[] counts = new int[6];                   // per JobState, reserved entries included
    private int heldAhead;                                        // waiting or delayed entries that hold their record

    public QueueIndex()
    {
        byKey = jobs.GetAlternateLookup<JobKey>();
    }

    public long NextSequence { get; set; } = 1;

    public int Count => jobs.Count;

    /// <summary>Waiting jobs that can be leased now (reserved ones excluded).</summary>
    public int WaitingCount => waiting.Count;

    public int FinishedCount => finished.Count;

    /// <summary>Dead-lettered jobs.</summary>
    public int FailedCount => failed.Count;

    /// <summary>Jobs in <paramref name="state"/>, reserved ones included.</summary>
    public int CountOf(JobState state) => counts[(int)state];

    /// <summary>Waiting or delayed jobs whose records are held in memory (read ahead or just promoted).</summary>
    public int HeldAhead => heldAhead;

    public JobEntry? Get(string id) => byKey.TryGetValue(JobKey.From(id), out var entry) ? entry : null;

    /// <summary>
    /// Inserts or replaces a job's record, moving its entry between the ordered sets; ends a reservation. A waiting or
    /// delayed job keeps its record only when <paramref name="holdRecord"/> is set.
    /// </summary>
    public JobEntry Put(JobRecord record, bool holdRecord = false)
    {
        var key = JobKey.From(record.Id);
        if (byKey.TryGetValue(key, out var entry))
        {
            Unlink(entry);
        }
        else
        {
            entry = new JobEntry(key);
            jobs.Add(entry);
        }

        entry.State = record.State;
        entry.Sequence = record.Sequence;
        entry.Primary = Primary(record);
        entry.Record = holdRecord || JobEntry.KeepsRecord(record.State) ? record : null;
        entry.Reserved = false;
        entry.Version++;
        Link(entry);

        if (record.Sequence >= NextSequence)
        {
            NextSequence = record.Sequence + 1;
        }

        return entry;
    }

    public bool Remove(string id)
    {
        if (!byKey.TryGetValue(JobKey.From(id), out var entry))
        {
            return false;
        }

        jobs.Remove(entry);
        Unlink(entry);
        entry.Version++;
        return true;
    }

    /// <summary>The next waiting job in lease order, or null.</summary>
    public JobEntry? PeekWaiting() => waiting.Count == 0 ? null : waiting.Min;

    /// <summary>Delayed jobs due at or before <paramref name="now"/>, earliest first, at most <paramref name="max"/>.</summary>
    public List<JobEntry> DueDelayed(DateTimeOffset now, int max = int.MaxValue) => Due(delayed, now, max);

    /// <summary>Active jobs whose lease deadline is at or before <paramref name="now"/>.</summary>
    public List<JobEntry> ExpiredLeases(DateTimeOffset now) => Due(leases, now, int.MaxValue);

    /// <summary>The earliest moment something becomes due (a delayed job or a lease deadline).</summary>
    public DateTimeOffset? NextDue()
    {
        long? ticks = null;
        if (delayed.Count > 0)
        {
            ticks = delayed.Min!.Primary;
        }

        if (leases.Count > 0 && (ticks is null || leases.Min!.Primary < ticks))
        {
            ticks = leases.Min!.Primary;
        }

        return ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
    }

    /// <summary>Completed and cancelled jobs (and dead-lettered ones with <paramref name="includeDeadLetters"/>) that finished
    /// before <paramref name="cutoff"/>, oldest first.</summary>
    public List<JobEntry> FinishedBefore(DateTimeOffset cutoff, bool includeDeadLetters) => includeDeadLetters
        ? [.. Due(finished, cutoff.AddTicks(-1), int.MaxValue), .. Due(failed, cutoff.AddTicks(-1), int.MaxValue)]
        : Due(finished, cutoff.AddTicks(-1), int.MaxValue);

    /// <summary>The oldest finished (completed or cancelled) job, the first to go when retention is exceeded.</summary>
    public JobEntry? OldestFinished() => finished.Count == 0 ? null : finished.Min;

    /// <summary>The oldest dead-lettered job, the first to go when the dead-letter set is over its bound.</summary>
    public JobEntry? OldestFailed() => failed.Count == 0 ? null : failed.Min;

    /// <summary>The jobs in one state, in that state's order (reserved ones excluded).</summary>
    public IEnumerable<JobEntry> List(JobState state) => state switch
    {
        JobState.Waiting => waiting,
        JobState.Delayed => delayed,
        JobState.Active => leases,
        JobState.Failed => failed,
        _ => finished.Where(j => j.State == state),
    };

    /// <summary>
    /// Takes waiting or delayed jobs out of their ordered set while their records are read from the store, so that no
    /// other call leases, promotes or cancels them meanwhile. <see cref="Put"/> or <see cref="Unreserve"/> ends it.
    /// </summary>
    public void Reserve(IEnumerable<JobEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (!entry.Reserved && !JobEntry.KeepsRecord(entry.State))
            {
                SetOf(entry.State).Remove(entry);
                entry.Reserved = true;
            }
        }
    }

    /// <summary>Holds the record of a waiting job that was read ahead of its lease; the caller checked it is current.</summary>
    public void Hold(JobEntry entry, JobRecord record)
    {
        if (entry.Record is null)
        {
            entry.Record = record;
            heldAhead++;
        }
    }

    /// <summary>Puts reserved jobs back where they were (their read failed).</summary>
    public void Unreserve(IEnumerable<JobEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Reserved && jobs.TryGetValue(entry, out var live) && live == entry)
            {
                entry.Reserved = false;
                SetOf(entry.State).Add(entry);
            }
        }
    }

    public QueueStats Stats(string queue, bool paused) => new()
    {
        Queue = queue,
        Waiting = counts[(int)JobState.Waiting],
        Delayed = counts[(int)JobState.Delayed],
        Active = counts[(int)JobState.Active],
        Failed = counts[(int)JobState.Failed],
        Completed = counts[(int)JobState.Completed],
        Cancelled = counts[(int)JobState.Cancelled],
        Paused = paused,
    };

    private static long Primary(JobRecord r) => r.State switch
    {
        JobState.Waiting => -r.Priority,
        JobState.Delayed => (r.RunAt ?? r.CreatedAt).UtcTicks,
        JobState.Active => (r.LeaseDeadline ?? r.UpdatedAt).UtcTicks,
        _ => (r.FinishedAt ?? r.UpdatedAt).UtcTicks,
    };

    private static List<JobEntry> Due(SortedSet<JobEntry> set, DateTimeOffset now, int max)
    {
        var due = new List<JobEntry>();
        foreach (var entry in set)
        {
            if (entry.Primary > now.UtcTicks || due.Count >= max)
            {
                break;
            }

            due.Add(entry);
        }

        return due;
    }

    private SortedSet<JobEntry> SetOf(JobState state) => state switch
    {
        JobState.Waiting => waiting,
        JobState.Delayed => delayed,
        JobState.Active => leases,
        JobState.Failed => failed,
        _ => finished,
    };

    private void Link(JobEntry entry)
    {
        SetOf(entry.State).Add(entry);
        counts[(int)entry.State]++;
        if (entry.Record is not null && !JobEntry.KeepsRecord(entry.State))
        {
            heldAhead++;
        }
    }

    private void Unlink(JobEntry entry)
    {
        if (!entry.Reserved)
        {
            SetOf(entry.State).Remove(entry);
        }

        counts[(int)entry.State]--;
        if (entry.Record is not null && !JobEntry.KeepsRecord(entry.State))
        {
            heldAhead--;
        }
    }

    /// <summary>Entries are equal when their ids are; looked up by <see cref="JobKey"/> without creating an entry.</summary>
    private sealed class EntryIds : IEqualityComparer<JobEntry>, IAlternateEqualityComparer<JobKey, JobEntry>
    {
        public bool Equals(JobEntry? x, JobEntry? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.Key == y.Key);

        public int GetHashCode(JobEntry obj) => obj.Key.GetHashCode();

        public bool Equals(JobKey alternate, JobEntry other) => alternate == other.Key;

        public int GetHashCode(JobKey alternate) => alternate.GetHashCode();

        public JobEntry Create(JobKey alternate) => new(alternate);
    }

    /// <summary>The order within a state: primary key, then enqueue sequence (unique per job), then id.</summary>
    private sealed class EntryOrder : IComparer<JobEntry>
    {
        public int Compare(JobEntry? x, JobEntry? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            int c = x!.Primary.CompareTo(y!.Primary);
            if (c != 0)
            {
                return c;
            }

            c = x.Sequence.CompareTo(y.Sequence);
            return c != 0 ? c : x.Key.CompareTo(y.Key);
        }
    }
}

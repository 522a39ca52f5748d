using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A queue's in-memory index: every job by id plus ordered sets per state. Each operation is O(log n),
/// so per-job cost does not grow with queue depth. Not thread-safe: owned by one queue grain activation.
/// </summary>
/// <remarks>
/// Compact by design (about 180 bytes per waiting job): a waiting or delayed job is a <see cref="JobEntry"/> without
/// its record, found through a hash set of entries (no separate key objects) and ordered by a sorted set of the same
/// entries. Active, dead-lettered and finished jobs keep their records (bounded by concurrency and retention).
/// </remarks>
internal sealed class QueueIndex
{
    private static readonly EntryOrder Order = new();
    private readonly HashSet<JobEntry> jobs = new(new EntryIds());
    private readonly HashSet<JobEntry>.AlternateLookup<JobKey> byKey;
    private readonly SortedSet<JobEntry> waiting;                // (−priority, sequence) of jobs without a group: the unnamed lane's
    private readonly SortedSet<JobEntry> delayed = new(Order);   // (run-at, sequence)
    private readonly SortedSet<JobEntry> leases = new(Order);    // (lease deadline, sequence)
    private readonly SortedSet<JobEntry> failed = new(Order);    // (finished-at, sequence): the dead-letter set
    private readonly SortedSet<JobEntry> finished = new(Order);  // (finished-at, sequence): completed and cancelled, for retention
    private readonly SortedSet<JobEntry> parked = new(Order);    // (created-at, sequence): flows' parents waiting for their children
    private readonly int[] counts = new int[7];                   // per JobState, reserved entries included
    private int heldAhead;                                        // waiting or delayed entries that hold their record
    private readonly WaitingAges waitingAges = new();             // waiting entries (reserved ones included) by the second they began waiting
    private readonly Dictionary<string, JobGroup> groups = new(StringComparer.Ordinal);   // groups with waiting or active jobs
    private readonly LinkedList<JobGroup> rotation = new();      // the lanes with waiting jobs, next turn first; the unnamed lane always
    private int groupedWaiting;                                   // waiting entries in a group's lane (reserved ones excluded)
    private readonly JobGroup waitingLane;                        // the lane of jobs without a group

    public QueueIndex()
    {
        byKey = jobs.GetAlternateLookup<JobKey>();
        waitingLane = new JobGroup(null, Order);
        waiting = waitingLane.Waiting;
        waitingLane.Turn = rotation.AddLast(waitingLane);
    }

    public long NextSequence { get; set; } = 1;

    public int Count => jobs.Count;

    /// <summary>Waiting jobs that can be leased now (reserved ones excluded).</summary>
    public int WaitingCount => waiting.Count + groupedWaiting;

    /// <summary>Whether waiting jobs have groups: leases then take turns between the lanes (<see cref="Rounds"/>).</summary>
    public bool HasGroups => groupedWaiting > 0;

    /// <summary>Groups with waiting or active jobs.</summary>
    public int GroupCount => groups.Count;

    /// <summary>Jobs picked for a lease whose records are being read (<see cref="BeginLease"/>): about to be active.</summary>
    public int Leasing { get; private set; }

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
        bool wasWaiting = false;
        if (byKey.TryGetValue(key, out var entry))
        {
            wasWaiting = entry.State == JobState.Waiting;
            Unlink(entry);
        }
        else
        {
            entry = new JobEntry(key);
            jobs.Add(entry);
        }

        entry.State = record.State;
        entry.Group = record.Group is { } group && record.State is JobState.Waiting or JobState.Active ? Lane(group) : null;
        entry.Sequence = record.Sequence;
        if (record.State == JobState.Waiting && !wasWaiting)
        {
            entry.WaitingSince = record.UpdatedAt.UtcTicks;   // every move into waiting stamps the record
        }

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
    public JobEntry? PeekWaiting() => LeaseOrder().FirstOrDefault();

    /// <summary>The waiting jobs in the order leases take them: by priority and enqueue order, or with groups, by turns
    /// (<see cref="Rounds"/>, no limits applied).</summary>
    public IEnumerable<JobEntry> LeaseOrder() => HasGroups ? Rounds(static _ => true, static _ => true) : waiting;

    /// <summary>
    /// The waiting jobs by turns: the first job of each lane <paramref name="open"/> lets take one, in rotation order, then each
    /// lane's second, and so on; within a lane by priority and enqueue order. Lanes are asked again before each job they give
    /// (a group reaching its limit mid-way drops out). Lazy: the first n jobs cost O(n) plus the closed lanes passed over.
    /// The sets must not change while it is enumerated.
    /// </summary>
    public IEnumerable<JobEntry> Rounds(Func<JobGroup, bool> open, Func<JobEntry, bool> wanted)
    {
        var cursors = new List<(JobGroup Lane, IEnumerator<JobEntry> Entries)>();
        try
        {
            for (var turn = rotation.First; turn is not null; turn = turn.Next)
            {
                var lane = turn.Value;
                if (lane.Waiting.Count == 0 || !open(lane))
                {
                    continue;
                }

                var entries = lane.Waiting.Where(wanted).GetEnumerator();
                cursors.Add((lane, entries));
                if (entries.MoveNext())
                {
                    yield return entries.Current;
                }
            }

            while (cursors.Count > 0)
            {
                for (int i = 0; i < cursors.Count;)
                {
                    var (lane, entries) = cursors[i];
                    if (open(lane) && entries.MoveNext())
                    {
                        i++;
                        yield return entries.Current;
                    }
                    else
                    {
                        entries.Dispose();
                        cursors.RemoveAt(i);
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, entries) in cursors)
            {
                entries.Dispose();
            }
        }
    }

    /// <summary>The lanes that gave jobs to a lease go to the back of the rotation, in the order they gave, so the next lease
    /// starts with the lanes that did not.</summary>
    public void Rotate(List<JobEntry> picked)
    {
        foreach (var entry in picked)
        {
            var lane = entry.Group ?? waitingLane;
            if (lane.Turn is { } turn && turn != rotation.Last)
            {
                rotation.Remove(turn);
                rotation.AddLast(turn);
            }
        }
    }

    /// <summary>Counts a job picked for a lease until <see cref="EndLease"/>: limits treat it as active meanwhile.</summary>
    public void BeginLease(JobEntry entry)
    {
        Leasing++;
        if (entry.Group is { } group)
        {
            group.Leasing++;
        }
    }

    public void EndLease(List<JobEntry> picked)
    {
        foreach (var entry in picked)
        {
            Leasing--;
            if (entry.Group is { } group && --group.Leasing == 0)
            {
                Forget(group);
            }
        }
    }

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

    /// <summary>Finished (completed or cancelled) jobs oldest first; with <paramref name="deadLetters"/>, the dead-letter set's.</summary>
    public IEnumerable<JobEntry> OldestFirst(bool deadLetters) => deadLetters ? failed : finished;

    /// <summary>The jobs in one state, in that state's order (reserved ones excluded); waiting ones by priority and enqueue
    /// order, whatever their groups.</summary>
    public IEnumerable<JobEntry> List(JobState state) => state switch
    {
        JobState.Waiting => HasGroups ? Merged() : waiting,
        JobState.Delayed => delayed,
        JobState.Active => leases,
        JobState.Failed => failed,
        JobState.WaitingChildren => parked,
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
                Detach(entry);
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
                Attach(entry);
            }
        }
    }

    /// <summary>When the job that has waited longest became waiting (to the second; reserved ones included), or null.</summary>
    public DateTimeOffset? OldestWaitingSince() => waitingAges.Oldest();

    public QueueStats Stats(string queue, bool paused) => new()
    {
        Queue = queue,
        Waiting = counts[(int)JobState.Waiting],
        Delayed = counts[(int)JobState.Delayed],
        Active = counts[(int)JobState.Active],
        Failed = counts[(int)JobState.Failed],
        Completed = counts[(int)JobState.Completed],
        Cancelled = counts[(int)JobState.Cancelled],
        WaitingChildren = counts[(int)JobState.WaitingChildren],
        Paused = paused,
    };

    /// <summary>The waiting jobs of every lane merged by priority and enqueue order (for listings).</summary>
    private IEnumerable<JobEntry> Merged()
    {
        var heads = new PriorityQueue<IEnumerator<JobEntry>, JobEntry>(Order);
        try
        {
            foreach (var lane in rotation)
            {
                var entries = lane.Waiting.GetEnumerator();
                if (entries.MoveNext())
                {
                    heads.Enqueue(entries, entries.Current);
                }
            }

            while (heads.TryDequeue(out var entries, out var head))
            {
                yield return head;
                if (entries.MoveNext())
                {
                    heads.Enqueue(entries, entries.Current);
                }
            }
        }
        finally
        {
            while (heads.TryDequeue(out var entries, out _))
            {
                entries.Dispose();
            }
        }
    }

    /// <summary>Drops a group with no jobs left and none being leased (the same object stays while either is counted, so a
    /// count is always taken back from the object it was added to).</summary>
    private void Forget(JobGroup group)
    {
        if (group.Members == 0 && group.Leasing == 0 && groups.TryGetValue(group.Name!, out var known) && known == group)
        {
            groups.Remove(group.Name!);
        }
    }

    private JobGroup Lane(string name)
    {
        if (!groups.TryGetValue(name, out var group))
        {
            group = new JobGroup(name, Order);
            groups.Add(name, group);
        }

        return group;
    }

    /// <summary>Into its state's ordered set (a waiting job: its lane's, which joins the rotation with its first job).</summary>
    private void Attach(JobEntry entry)
    {
        if (entry.State != JobState.Waiting || entry.Group is not { } group)
        {
            SetOf(entry.State).Add(entry);
            return;
        }

        group.Waiting.Add(entry);
        groupedWaiting++;
        group.Turn ??= rotation.AddLast(group);
    }

    private void Detach(JobEntry entry)
    {
        if (entry.State != JobState.Waiting || entry.Group is not { } group)
        {
            SetOf(entry.State).Remove(entry);
            return;
        }

        if (group.Waiting.Remove(entry))
        {
            groupedWaiting--;
        }

        if (group.Waiting.Count == 0 && group.Turn is { } turn)
        {
            rotation.Remove(turn);
            group.Turn = null;
        }
    }

    private static long Primary(JobRecord r) => r.State switch
    {
        JobState.Waiting => -r.Priority,
        JobState.Delayed => (r.RunAt ?? r.CreatedAt).UtcTicks,
        JobState.Active => (r.LeaseDeadline ?? r.UpdatedAt).UtcTicks,
        JobState.WaitingChildren => r.CreatedAt.UtcTicks,
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
        JobState.WaitingChildren => parked,
        _ => finished,
    };

    private void Link(JobEntry entry)
    {
        Attach(entry);
        counts[(int)entry.State]++;
        if (entry.State == JobState.Waiting)
        {
            waitingAges.Add(entry.WaitingSince);
        }

        if (entry.Group is { } group)
        {
            group.Members++;
            if (entry.State == JobState.Active)
            {
                group.Active++;
            }
        }

        if (entry.Record is not null && !JobEntry.KeepsRecord(entry.State))
        {
            heldAhead++;
        }
    }

    private void Unlink(JobEntry entry)
    {
        if (!entry.Reserved)
        {
            Detach(entry);
        }

        counts[(int)entry.State]--;
        if (entry.State == JobState.Waiting)
        {
            waitingAges.Remove(entry.WaitingSince);
        }

        if (entry.Group is { } group)
        {
            if (entry.State == JobState.Active)
            {
                group.Active--;
            }

            if (--group.Members == 0)
            {
                Forget(group);
            }
        }

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

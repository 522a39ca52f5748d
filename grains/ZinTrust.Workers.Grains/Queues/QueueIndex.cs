using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A queue's in-memory index: every job by id plus ordered sets per state. Each operation is O(log n),
/// so per-job cost does not grow with queue depth. Not thread-safe: owned by one queue grain activation.
/// </summary>
internal sealed class QueueIndex
{
    private readonly Dictionary<string, JobRecord> jobs = new(StringComparer.Ordinal);
    private readonly SortedSet<IndexKey> waiting = new();   // (−priority, sequence): highest priority first, FIFO within one
    private readonly SortedSet<IndexKey> delayed = new();   // (run-at, sequence)
    private readonly SortedSet<IndexKey> leases = new();    // (lease deadline, sequence)
    private readonly SortedSet<IndexKey> failed = new();    // (finished-at, sequence): the dead-letter set
    private readonly SortedSet<IndexKey> finished = new();  // (finished-at, sequence): completed and cancelled, for retention
    private readonly Dictionary<string, string> idempotency = new(StringComparer.Ordinal);
    private int completedCount;
    private int cancelledCount;

    public long NextSequence { get; set; } = 1;

    public int Count => jobs.Count;

    public int WaitingCount => waiting.Count;

    public int FinishedCount => finished.Count;

    public JobRecord? Get(string id) => jobs.GetValueOrDefault(id);

    public JobRecord? GetByIdempotencyKey(string key) =>
        idempotency.TryGetValue(key, out var id) ? jobs.GetValueOrDefault(id) : null;

    /// <summary>Inserts or replaces a record, moving it between the ordered sets.</summary>
    public void Put(JobRecord record)
    {
        if (jobs.TryGetValue(record.Id, out var old))
        {
            Unlink(old);
        }

        jobs[record.Id] = record;
        Link(record);
        if (record.Sequence >= NextSequence)
        {
            NextSequence = record.Sequence + 1;
        }
    }

    public bool Remove(string id)
    {
        if (!jobs.Remove(id, out var old))
        {
            return false;
        }

        Unlink(old);
        if (old.IdempotencyKey is { } key && idempotency.TryGetValue(key, out var owner) && owner == id)
        {
            idempotency.Remove(key);
        }

        return true;
    }

    /// <summary>The next waiting job in lease order, or null.</summary>
    public JobRecord? PeekWaiting() => waiting.Count == 0 ? null : jobs[waiting.Min.Id];

    /// <summary>Delayed jobs due at or before <paramref name="now"/>, earliest first.</summary>
    public List<JobRecord> DueDelayed(DateTimeOffset now) => Due(delayed, now);

    /// <summary>Active jobs whose lease deadline is at or before <paramref name="now"/>.</summary>
    public List<JobRecord> ExpiredLeases(DateTimeOffset now) => Due(leases, now);

    /// <summary>The earliest moment something becomes due (a delayed job or a lease deadline).</summary>
    public DateTimeOffset? NextDue()
    {
        long? ticks = null;
        if (delayed.Count > 0)
        {
            ticks = delayed.Min.Primary;
        }

        if (leases.Count > 0 && (ticks is null || leases.Min.Primary < ticks))
        {
            ticks = leases.Min.Primary;
        }

        return ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
    }

    /// <summary>Completed, cancelled and dead-lettered jobs that finished before <paramref name="cutoff"/>, oldest first.</summary>
    public List<JobRecord> FinishedBefore(DateTimeOffset cutoff) =>
        [.. Due(finished, cutoff.AddTicks(-1)), .. Due(failed, cutoff.AddTicks(-1))];

    /// <summary>The oldest finished (completed or cancelled) job, the first to go when retention is exceeded.</summary>
    public JobRecord? OldestFinished() => finished.Count == 0 ? null : jobs[finished.Min.Id];

    public IEnumerable<JobRecord> List(JobState state) => state switch
    {
        JobState.Waiting => waiting.Select(k => jobs[k.Id]),
        JobState.Delayed => delayed.Select(k => jobs[k.Id]),
        JobState.Active => leases.Select(k => jobs[k.Id]),
        JobState.Failed => failed.Select(k => jobs[k.Id]),
        _ => finished.Select(k => jobs[k.Id]).Where(j => j.State == state),
    };

    public QueueStats Stats(string queue, bool paused) => new()
    {
        Queue = queue,
        Waiting = waiting.Count,
        Delayed = delayed.Count,
        Active = leases.Count,
        Failed = failed.Count,
        Completed = completedCount,
        Cancelled = cancelledCount,
        Paused = paused,
    };

    private static List<JobRecord> DueIn(SortedSet<IndexKey> set, DateTimeOffset now, Dictionary<string, JobRecord> jobs)
    {
        var due = new List<JobRecord>();
        foreach (var key in set)
        {
            if (key.Primary > now.UtcTicks)
            {
                break;
            }

            due.Add(jobs[key.Id]);
        }

        return due;
    }

    private List<JobRecord> Due(SortedSet<IndexKey> set, DateTimeOffset now) => DueIn(set, now, jobs);

    private void Link(JobRecord r)
    {
        if (r.IdempotencyKey is { } key)
        {
            idempotency[key] = r.Id;
        }

        switch (r.State)
        {
            case JobState.Waiting:
                waiting.Add(new(-r.Priority, r.Sequence, r.Id));
                break;
            case JobState.Delayed:
                delayed.Add(new((r.RunAt ?? r.CreatedAt).UtcTicks, r.Sequence, r.Id));
                break;
            case JobState.Active:
                leases.Add(new((r.LeaseDeadline ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                break;
            case JobState.Failed:
                failed.Add(new((r.FinishedAt ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                break;
            case JobState.Completed:
                finished.Add(new((r.FinishedAt ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                completedCount++;
                break;
            case JobState.Cancelled:
                finished.Add(new((r.FinishedAt ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                cancelledCount++;
                break;
        }
    }

    private void Unlink(JobRecord r)
    {
        switch (r.State)
        {
            case JobState.Waiting:
                waiting.Remove(new(-r.Priority, r.Sequence, r.Id));
                break;
            case JobState.Delayed:
                delayed.Remove(new((r.RunAt ?? r.CreatedAt).UtcTicks, r.Sequence, r.Id));
                break;
            case JobState.Active:
                leases.Remove(new((r.LeaseDeadline ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                break;
            case JobState.Failed:
                failed.Remove(new((r.FinishedAt ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                break;
            case JobState.Completed:
                finished.Remove(new((r.FinishedAt ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                completedCount--;
                break;
            case JobState.Cancelled:
                finished.Remove(new((r.FinishedAt ?? r.UpdatedAt).UtcTicks, r.Sequence, r.Id));
                cancelledCount--;
                break;
        }
    }

    /// <summary>A sort key: primary order, then enqueue sequence (unique per job), then id.</summary>
    private readonly record struct IndexKey(long Primary, long Sequence, string Id) : IComparable<IndexKey>
    {
        public int CompareTo(IndexKey other)
        {
            int c = Primary.CompareTo(other.Primary);
            if (c != 0)
            {
                return c;
            }

            c = Sequence.CompareTo(other.Sequence);
            return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
        }
    }
}

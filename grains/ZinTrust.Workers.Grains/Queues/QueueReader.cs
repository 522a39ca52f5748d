using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Reads a queue's job records: from memory where it has them (the index keeps the records of active, dead-lettered and
/// finished jobs, and of a bounded few waiting ones read ahead; the writer has what is staged or being written), the rest
/// from the store in one round trip.
/// </summary>
/// <remarks>
/// <para>Reads that move jobs (<see cref="ReadReservedAsync"/>) reserve them first: the jobs leave their ordered sets while
/// the store answers, so no interleaving call leases, promotes or cancels them too; the caller moves them before its next
/// await. A stored record that does not match its entry means the store no longer agrees with this activation: the queue
/// reloads, as after a failed write.</para>
/// <para>A lease's read also fetches the next waiting jobs' records (<see cref="ReadAhead"/>), kept only if those jobs did
/// not change meanwhile (at most <see cref="MaxHeldAhead"/>), so under a backlog about one lease in several reads.</para>
/// Not thread-safe: owned by one queue grain activation.
/// </remarks>
internal sealed partial class QueueReader(
    IJobStore store, string queue, QueueIndex index, QueueWriter writer, Action throwIfPoisoned, Action<Exception> diverged, ILogger logger)
{
    /// <summary>Waiting jobs read ahead of a lease.</summary>
    public const int ReadAhead = 128;

    /// <summary>Waiting or delayed jobs that may hold their records in memory (read ahead, or just promoted).</summary>
    public const int MaxHeldAhead = 1024;

    // completed when a reservation ends, for a call that waits to act on a reserved job
    private TaskCompletionSource? reservationsEnded;

    /// <summary>Whether another promoted job may keep its record (it is usually leased next).</summary>
    public bool CanHold => index.HeldAhead < MaxHeldAhead;

    /// <summary>The latest record of a job when memory has it: kept by the index, staged, or in the write in flight.</summary>
    public JobRecord? InMemory(JobEntry entry) => entry.Record ?? writer.Find(entry.Id);

    /// <summary>Completes when a reservation in progress ends (to act on a job some other call is moving).</summary>
    public Task ReservationEnded() =>
        (reservationsEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// The current records of waiting or delayed jobs, to move them; reserved during the store read. With
    /// <paramref name="readAhead"/>, the read also fetches the records of the next waiting jobs.
    /// </summary>
    public async ValueTask<JobRecord[]> ReadReservedAsync(List<JobEntry> entries, bool readAhead = false)
    {
        var records = new JobRecord[entries.Count];
        List<int>? stored = null;
        List<string>? ids = null;
        for (int i = 0; i < entries.Count; i++)
        {
            if (InMemory(entries[i]) is { } job)
            {
                records[i] = job;
            }
            else
            {
                (stored ??= []).Add(i);
                (ids ??= []).Add(entries[i].Id);
            }
        }

        if (stored is null)
        {
            return records;
        }

        var ahead = readAhead ? NextWithoutRecords(entries, ids!) : [];
        index.Reserve(entries);
        IReadOnlyList<JobRecord?> read;
        try
        {
            read = await LoadAsync(ids!);
            throwIfPoisoned();   // the queue failed a write during the read: what was read may be stale
        }
        catch
        {
            index.Unreserve(entries);
            EndReservations();
            throw;
        }

        EndReservations();
        for (int k = 0; k < stored.Count; k++)
        {
            var entry = entries[stored[k]];
            if (read[k] is not { } job || job.State != entry.State)
            {
                index.Unreserve(entries);
                LogStoreDiverged(logger, queue, ids![k], entry.State, read[k]?.State);
                diverged(new InvalidDataException($"Job '{ids[k]}' of queue '{queue}' is {read[k]?.State.ToString() ?? "missing"} in the store, {entry.State} in the index."));
                throw new WorkersException(WorkersErrorCodes.QueueUnavailable, $"Queue '{queue}' is reloading after the store disagreed with it; retry.");
            }

            records[stored[k]] = job;
        }

        for (int k = 0; k < ahead.Count; k++)
        {
            // Not reserved, so other calls may have moved the job meanwhile: hold the record only if the job did not change.
            var (entry, version) = ahead[k];
            if (read[stored.Count + k] is { State: JobState.Waiting } job && entry.Version == version && entry.State == JobState.Waiting
                && !entry.Reserved && CanHold)
            {
                index.Hold(entry, job);
            }
        }

        return records;
    }

    /// <summary>The records of a page of jobs for a listing: without reserving, so a job that moved on meanwhile shows its newer
    /// stored state. The caller awaits the writer before it shows records that came from memory.</summary>
    public async Task<JobRecord[]> ReadPageAsync(JobEntry[] page)
    {
        var records = new JobRecord?[page.Length];
        List<int>? stored = null;
        for (int i = 0; i < page.Length; i++)
        {
            records[i] = InMemory(page[i]);
            if (records[i] is null)
            {
                (stored ??= []).Add(i);
            }
        }

        if (stored is not null)
        {
            var read = await LoadAsync(stored.Select(i => page[i].Id).ToArray());
            for (int k = 0; k < stored.Count; k++)
            {
                records[stored[k]] = read[k];
            }
        }

        return records.OfType<JobRecord>().ToArray();
    }

    /// <summary>One store read; a failure is the caller's QUEUE_UNAVAILABLE, and changes nothing here.</summary>
    public async Task<IReadOnlyList<JobRecord?>> LoadAsync(IReadOnlyList<string> ids)
    {
        try
        {
            return await store.LoadJobsAsync(queue, ids, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not WorkersException)
        {
            LogStoreReadFailed(logger, queue, ex);
            throw new WorkersException(WorkersErrorCodes.QueueUnavailable, $"The job store could not be read for queue '{queue}'; retry.");
        }
    }

    /// <summary>
    /// Waiting jobs next in lease order after <paramref name="taking"/> whose records memory lacks, up to <see cref="ReadAhead"/>
    /// and the budget; their ids are added to <paramref name="ids"/>, their versions noted to detect a change during the read.
    /// </summary>
    private List<(JobEntry Entry, int Version)> NextWithoutRecords(List<JobEntry> taking, List<string> ids)
    {
        var ahead = new List<(JobEntry, int)>();
        int room = Math.Min(ReadAhead, MaxHeldAhead - index.HeldAhead);
        var next = index.HasGroups
            ? index.LeaseOrder().Except<JobEntry>(taking, ReferenceEqualityComparer.Instance)   // by turns: what is taken need not come first
            : index.List(JobState.Waiting).Skip(taking.Count);
        foreach (var entry in next)
        {
            if (ahead.Count >= room)
            {
                break;
            }

            if (InMemory(entry) is null)
            {
                ahead.Add((entry, entry.Version));
                ids.Add(entry.Id);
            }
        }

        return ahead;
    }

    private void EndReservations()
    {
        var ended = reservationsEnded;
        reservationsEnded = null;
        ended?.TrySetResult();
    }

    [LoggerMessage(1007, LogLevel.Warning, "Queue {Queue}: reading jobs from the job store failed")]
    private static partial void LogStoreReadFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(1008, LogLevel.Error, "Queue {Queue}: job {JobId} is {Stored} in the job store but {Indexed} in the index; the queue reloads from the store")]
    private static partial void LogStoreDiverged(ILogger logger, string queue, string jobId, JobState indexed, JobState? stored);
}

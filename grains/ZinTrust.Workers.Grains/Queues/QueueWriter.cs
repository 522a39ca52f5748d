using System.Collections.ObjectModel;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The group-commit writer of one queue. Changes are staged in memory and written to the job store one write at a time:
/// changes staged while a write is in flight share the next write, up to <see cref="WorkersOptions.StoreWriteMaxJobs"/> records
/// and about <see cref="WorkersOptions.StoreWriteMaxBytes"/>; past those they go into the write after. A caller stages its
/// changes and then awaits <see cref="Commit"/>, which completes once everything staged so far is durable. Each change may
/// carry its transition's event: once a write is durable, its events (in staging order) and its settled notices are handed
/// on before the next write starts, so events go out in commit order.
/// </summary>
/// <remarks>
/// <para>Writes are applied in staging order, so a later write of a record wins over an earlier one. A write holds whole calls:
/// a batch is closed only when a call commits (<see cref="Commit"/>, <see cref="SealIfFull"/>) or asks for room before it stages
/// something that must be atomic (<see cref="MakeRoom"/>).</para>
/// <para>A failed write fails every write after it too (their callers get QUEUE_UNAVAILABLE, nothing of them was acknowledged)
/// and reports the failure once; the queue then reloads from the store. Not thread-safe: owned by one activation.</para>
/// </remarks>
internal sealed class QueueWriter(
    IJobStore store,
    string queue,
    int maxJobs,
    int maxBytes,
    Action<Exception> failed,
    Action<IReadOnlyList<JobEvent>, IReadOnlyList<SettledNotice>?> committed)
{
    /// <summary>What a record costs a write beyond its texts (ids, options, timestamps, framing): a rough allowance.</summary>
    private const int RecordOverhead = 256;

    private readonly List<PendingWrite> pending = [];   // oldest first; the last may still be open
    private PendingWrite? open;
    private PendingWrite? writing;
    private bool flushing;
    private bool poisoned;

    /// <summary>The epoch every write carries (the store refuses writes of an older claim).</summary>
    public long Epoch { get; set; }

    /// <summary>About how much a record adds to a write (its texts plus an allowance).</summary>
    public static long SizeOf(JobRecord record) =>
        RecordOverhead + record.Payload.Length + (record.Result?.Length ?? 0) + (record.Error?.Length ?? 0) + HeadersSize(record.Headers) + LogsSize(record.Logs);

    /// <summary>About how much the job a request makes adds to a write.</summary>
    public static long SizeOfNew(EnqueueRequest request) => RecordOverhead + request.Payload.Length + HeadersSize(request.Headers);

    private static long LogsSize(IReadOnlyList<JobLogLine>? logs)
    {
        long size = 0;
        for (int i = 0; i < (logs?.Count ?? 0); i++)
        {
            size += logs![i].Message.Length + 16;
        }

        return size;
    }

    private static long HeadersSize(IReadOnlyDictionary<string, string>? headers)
    {
        long size = 0;
        foreach (var (name, value) in headers ?? ReadOnlyDictionary<string, string>.Empty)
        {
            size += name.Length + value.Length + 4;
        }

        return size;
    }

    public void Upsert(JobRecord record, JobEvent? change = null)
    {
        var write = Open();
        if (change is not null)
        {
            (write.Events ??= []).Add(change);
        }

        write.Deletes.Remove(record.Id);
        if (write.Upserts.Remove(record.Id, out var replaced))
        {
            write.Bytes -= SizeOf(replaced);
        }

        write.Upserts[record.Id] = record;
        write.Bytes += SizeOf(record);
    }

    public void Delete(string id, JobEvent? change = null)
    {
        var write = Open();
        if (change is not null)
        {
            (write.Events ??= []).Add(change);
        }

        if (write.Upserts.Remove(id, out var replaced))
        {
            write.Bytes -= SizeOf(replaced);
        }

        write.Deletes.Add(id);
    }

    public void UpsertKey(IdempotencyKeyRecord key)
    {
        var write = Open();
        write.KeyDeletes?.Remove(key.Key);
        (write.KeyUpserts ??= new(StringComparer.Ordinal))[key.Key] = key;
        write.Bytes += RecordOverhead;
    }

    public void DeleteKey(string key)
    {
        var write = Open();
        write.KeyUpserts?.Remove(key);
        (write.KeyDeletes ??= new(StringComparer.Ordinal)).Add(key);
    }

    public void SetMetadata(QueueMetadata metadata) => Open().Metadata = metadata;

    /// <summary>Watchers to tell once the write holding the settled record is durable.</summary>
    public void Notify(SettledNotice notice) => (Open().Notices ??= []).Add(notice);

    /// <summary>The newest record of a job that is staged or being written (memory has it, the store may not yet), or null.</summary>
    public JobRecord? Find(string id)
    {
        for (int i = pending.Count - 1; i >= 0; i--)
        {
            if (pending[i].Upserts.TryGetValue(id, out var record))
            {
                return record;
            }
        }

        return writing?.Upserts.GetValueOrDefault(id);
    }

    /// <summary>Closes the open write if <paramref name="jobs"/> more records of <paramref name="bytes"/> would not fit in it, so a
    /// call that must be atomic lands in one write.</summary>
    public void MakeRoom(int jobs, long bytes)
    {
        if (open is { Count: > 0 } write && (write.Count + jobs > maxJobs || write.Bytes + bytes > maxBytes))
        {
            open = null;
        }
    }

    /// <summary>Closes the open write once it is full; what is staged next goes into a new one. For calls that stage many
    /// changes that need not be atomic (outcomes, leases, promotions).</summary>
    public void SealIfFull()
    {
        if (open is { } write && (write.Count >= maxJobs || write.Bytes >= maxBytes))
        {
            open = null;
        }
    }

    /// <summary>Completes when everything staged so far is durable (at once when nothing is staged or in flight).</summary>
    public Task Commit()
    {
        SealIfFull();
        var last = pending.Count > 0 ? pending[^1] : writing;
        if (last is null)
        {
            return Task.CompletedTask;
        }

        if (!flushing && pending.Count > 0)
        {
            flushing = true;
            _ = FlushAsync();
        }

        return last.Done.Task;
    }

    private PendingWrite Open()
    {
        if (open is null)
        {
            open = new PendingWrite();
            pending.Add(open);
        }

        return open;
    }

    private async Task FlushAsync()
    {
        try
        {
            while (pending.Count > 0 && !poisoned)
            {
                var write = pending[0];
                pending.RemoveAt(0);
                if (ReferenceEquals(write, open))
                {
                    open = null;
                }

                writing = write;
                try
                {
                    await store.CommitAsync(queue, Epoch, write.ToBatch(), CancellationToken.None);
                }
                catch (Exception ex)
                {
                    writing = null;
                    Fail(write, ex);
                    return;
                }

                writing = null;
                write.Done.TrySetResult();
                if (write.Events is not null || write.Notices is not null)
                {
                    committed(write.Events ?? (IReadOnlyList<JobEvent>)[], write.Notices);
                }
            }
        }
        finally
        {
            flushing = false;
        }
    }

    /// <summary>Fails every staged write (not the one in flight) without writing it: the queue found the store disagreeing with it
    /// and reloads. Nothing of those writes was acknowledged.</summary>
    public void Abandon()
    {
        poisoned = true;
        FailPending(Unavailable());
    }

    private void Fail(PendingWrite write, Exception ex)
    {
        poisoned = true;
        var error = Unavailable();
        write.Done.TrySetException(error);
        FailPending(error);
        failed(ex);
    }

    private void FailPending(WorkersException error)
    {
        foreach (var later in pending)
        {
            later.Done.TrySetException(error);
        }

        // Watchers of what was never written re-read the job from the next activation.
        pending.Clear();
        open = null;
    }

    private WorkersException Unavailable() =>
        new(WorkersErrorCodes.QueueUnavailable, $"The job store did not accept the write for queue '{queue}'; nothing in it was acknowledged.");

    private sealed class PendingWrite
    {
        public Dictionary<string, JobRecord> Upserts { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Deletes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, IdempotencyKeyRecord>? KeyUpserts { get; set; }

        public HashSet<string>? KeyDeletes { get; set; }

        public QueueMetadata? Metadata { get; set; }

        public List<SettledNotice>? Notices { get; set; }

        public List<JobEvent>? Events { get; set; }

        public long Bytes { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Upserts.Count + Deletes.Count + (KeyUpserts?.Count ?? 0) + (KeyDeletes?.Count ?? 0);

        public JobStoreBatch ToBatch() => new(Upserts.Values.ToArray(), Deletes.ToArray(), Metadata)
        {
            KeyUpserts = KeyUpserts?.Values.ToArray() ?? [],
            KeyDeletes = KeyDeletes?.ToArray() ?? [],
        };
    }
}

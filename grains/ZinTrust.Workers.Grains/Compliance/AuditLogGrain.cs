using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The audit log's one writer (see <see cref="IAuditLogGrain"/>). The chain stays linear because only this activation numbers
/// and links records, one write at a time, each chained to the head the previous write left; the store refuses writes of an
/// activation whose claim is no longer the newest (<see cref="IAuditStore"/>), so a duplicate activation cannot fork it.
/// </summary>
/// <remarks>
/// Group commit: while a write is in flight, appends from every silo queue up and go out together in the next write (up to
/// <see cref="AuditLogOptions.MaxBatch"/> records), so the log's throughput follows the store's latency, not the number of callers.
/// A caller's append returns once the write holding its records is durable.
/// </remarks>
[Orleans.Concurrency.Reentrant]   // group commit: appends must arrive while a write is awaited; the writer loop below is the only code that links records
internal sealed partial class AuditLogGrain(
    IAuditStore store,
    IOptions<AuditLogOptions> options,
    [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
    ILogger<AuditLogGrain> logger) : Grain, IAuditLogGrain
{
    private const int PageSize = 500;
    private readonly List<PendingAppend> pending = [];
    private AuditHead head = AuditHead.Empty(0);
    private bool writing;
    private bool fenced;
    private IGrainTimer? retention;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        head = await store.ClaimAsync(FencingFloor.Epoch(clock.GetUtcNow()), cancellationToken);
        if (options.Value.RetentionDays > 0)
        {
            var period = options.Value.TrimInterval;
            retention = this.RegisterGrainTimer(static (g, ct) => g.ApplyRetention(ct), this, new GrainTimerCreationOptions(TimeSpan.Zero, period));
        }
    }

    public Task Append(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (fenced)
        {
            throw new AuditStoreFencedException("This activation of the audit log lost its claim; retry (the newer one takes the record).");
        }

        var append = new PendingAppend(records);
        pending.Add(append);
        if (!writing)
        {
            writing = true;
            WriteLoop().Ignore();
        }

        return append.Done.Task;
    }

    public async Task<AuditPage> Query(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        int limit = Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit);
        var found = new List<AuditRecord>(Math.Min(limit, PageSize));
        long from = Math.Max(query.After, 0) + 1;
        while (true)
        {
            var page = await store.ReadAsync(from, PageSize, CancellationToken.None);
            foreach (var record in page)
            {
                if (query.Matches(record))
                {
                    found.Add(record);
                    if (found.Count == limit)
                    {
                        return new AuditPage(found, record.Sequence);
                    }
                }
            }

            if (page.Count < PageSize)
            {
                return new AuditPage(found, null);
            }

            from = page[^1].Sequence + 1;
        }
    }

    public async Task<AuditVerification> Verify(long? fromSequence, long? toSequence)
    {
        var stored = await store.GetHeadAsync(CancellationToken.None);
        long start = Math.Max(fromSequence ?? 0, stored.AnchorSequence + 1);
        long end = Math.Min(toSequence ?? stored.LastSequence, stored.LastSequence);
        string previous = stored.AnchorHash;
        if (start > stored.AnchorSequence + 1)
        {
            // A range: it links to the record before it, whatever that one holds (a walk from the anchor checks that).
            var before = await store.ReadAsync(start - 1, 1, CancellationToken.None);
            if (before.Count == 0 || before[0].Sequence != start - 1)
            {
                return new AuditVerification(false, 0, start - 1, $"record {start - 1}, before the range, is missing");
            }

            previous = before[0].Hash;
        }

        var verifier = new AuditChainVerifier(start, previous);
        long from = start;
        bool done = false;
        while (!done && verifier.Valid && verifier.NextSequence <= end)
        {
            var page = await store.ReadAsync(from, PageSize, CancellationToken.None);
            foreach (var record in page)
            {
                if (verifier.NextSequence > end || !verifier.Add(record))
                {
                    done = true;
                    break;
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            from = page[^1].Sequence + 1;
        }

        if (verifier.Valid && verifier.NextSequence <= end)
        {
            verifier.Fail(verifier.NextSequence, $"records {verifier.NextSequence}..{end} are missing");
        }

        if (toSequence is null || end == stored.LastSequence)
        {
            verifier.End(end, stored.LastHash);
        }

        return verifier.Result();
    }

    /// <summary>The one place records are linked: takes what is pending, chains it to the head, writes it, moves the head.</summary>
    private async Task WriteLoop()
    {
        try
        {
            while (pending.Count > 0 && !fenced)
            {
                var batch = TakeBatch();
                var linked = new List<AuditRecord>(batch.Sum(p => p.Records.Count));
                long sequence = head.LastSequence;
                string hash = head.LastHash;
                foreach (var record in batch.SelectMany(p => p.Records))
                {
                    var next = AuditChain.Link(record, sequence, hash);
                    linked.Add(next);
                    sequence = next.Sequence;
                    hash = next.Hash;
                }

                try
                {
                    await store.AppendAsync(head.Epoch, linked, CancellationToken.None);
                    head = head with { LastSequence = sequence, LastHash = hash };
                    WorkersInstruments.AuditRecorded.Add(linked.Count);
                    batch.ForEach(p => p.Done.TrySetResult());
                }
                catch (AuditStoreFencedException ex)
                {
                    // Another activation claimed the log: this one stops writing and goes away; its callers retry there.
                    fenced = true;
                    LogFenced(logger, head.Epoch, ex);
                    batch.ForEach(p => p.Done.TrySetException(ex));
                    pending.ForEach(p => p.Done.TrySetException(ex));
                    pending.Clear();
                    this.DeactivateOnIdle();
                }
                catch (Exception ex)
                {
                    // Maybe applied: claim again, which reads the head as stored, so the next batch chains to what is there.
                    LogWriteFailed(logger, linked.Count, ex);
                    batch.ForEach(p => p.Done.TrySetException(ex));
                    head = await store.ClaimAsync(FencingFloor.Epoch(clock.GetUtcNow()), CancellationToken.None);
                }
            }
        }
        catch (Exception ex)
        {
            // The re-claim failed too: fail what waits and start afresh on the next activation.
            LogWriteFailed(logger, pending.Count, ex);
            pending.ForEach(p => p.Done.TrySetException(ex));
            pending.Clear();
            this.DeactivateOnIdle();
        }
        finally
        {
            writing = false;
        }
    }

    private List<PendingAppend> TakeBatch()
    {
        int records = 0, take = 0;
        while (take < pending.Count && (take == 0 || records + pending[take].Records.Count <= options.Value.MaxBatch))
        {
            records += pending[take].Records.Count;
            take++;
        }

        var batch = pending.GetRange(0, take);
        pending.RemoveRange(0, take);
        return batch;
    }

    /// <summary>Retention: trims records older than the retention period (never the newest), leaving the last trimmed one as anchor.</summary>
    private async Task ApplyRetention(CancellationToken cancellationToken)
    {
        if (fenced)
        {
            return;
        }

        try
        {
            var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
            var stored = await store.GetHeadAsync(cancellationToken);
            long from = stored.AnchorSequence + 1;
            long keepFrom = from;
            while (true)
            {
                var page = await store.ReadAsync(from, PageSize, cancellationToken);
                var old = page.TakeWhile(r => r.At < cutoff).ToList();
                keepFrom = old.Count > 0 ? old[^1].Sequence + 1 : keepFrom;
                if (old.Count < page.Count || page.Count < PageSize)
                {
                    break;
                }

                from = page[^1].Sequence + 1;
            }

            if (keepFrom > stored.AnchorSequence + 1)
            {
                long removed = await store.TrimAsync(head.Epoch, keepFrom, cancellationToken);
                LogTrimmed(logger, removed, options.Value.RetentionDays);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRetentionFailed(logger, ex);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        retention?.Dispose();
        return Task.CompletedTask;
    }

    private sealed class PendingAppend(IReadOnlyList<AuditRecord> records)
    {
        public IReadOnlyList<AuditRecord> Records { get; } = records;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

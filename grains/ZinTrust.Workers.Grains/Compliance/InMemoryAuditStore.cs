namespace ZinTrust.Workers.Grains;

/// <summary>
/// The audit log in this process's memory: the embedded default (no Redis). It holds the same contract as the Redis store,
/// epoch fencing included, but lives and dies with the process, so it is a log of this run only.
/// </summary>
public sealed class InMemoryAuditStore : IAuditStore
{
    private readonly Lock gate = new();
    private readonly List<AuditRecord> stored = [];
    private AuditHead head = AuditHead.Empty(0);

    public Task<AuditHead> ClaimAsync(long epochFloor, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            head = head with { Epoch = Math.Max(head.Epoch + 1, epochFloor) };
            return Task.FromResult(head);
        }
    }

    public Task<AuditHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(head);
        }
    }

    public Task AppendAsync(long epoch, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (gate)
        {
            if (epoch != head.Epoch)
            {
                throw new AuditStoreFencedException($"The audit log was claimed by a newer writer (this one holds epoch {epoch}, the log {head.Epoch}).");
            }

            if (records.Count == 0)
            {
                return Task.CompletedTask;
            }

            long sequence = head.LastSequence;
            string hash = head.LastHash;
            foreach (var record in records)
            {
                if (record.Sequence != sequence + 1 || !string.Equals(record.PreviousHash, hash, StringComparison.Ordinal))
                {
                    throw new AuditStoreFencedException($"Record {record.Sequence} does not follow the log's head {sequence}.");
                }

                sequence = record.Sequence;
                hash = record.Hash;
            }

            stored.AddRange(records);
            head = head with { LastSequence = sequence, LastHash = hash };
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<AuditRecord>> ReadAsync(long fromSequence, int count, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // Sequences are consecutive from the oldest kept record, so the start is an index (unless someone tampered with them).
            long first = stored.Count == 0 ? 0 : stored[0].Sequence;
            int start = (int)Math.Clamp(fromSequence - first, 0, stored.Count);
            IEnumerable<AuditRecord> kept = start < stored.Count && stored[start].Sequence == fromSequence
                ? stored.Skip(start)
                : stored.SkipWhile(r => r.Sequence < fromSequence);
            return Task.FromResult<IReadOnlyList<AuditRecord>>(kept.Take(count).ToArray());
        }
    }

    public Task<long> TrimAsync(long epoch, long keepFrom, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (epoch != head.Epoch)
            {
                throw new AuditStoreFencedException($"The audit log was claimed by a newer writer (this one holds epoch {epoch}, the log {head.Epoch}).");
            }

            int remove = stored.TakeWhile(r => r.Sequence < keepFrom && r.Sequence < head.LastSequence).Count();
            if (remove > 0)
            {
                var last = stored[remove - 1];
                stored.RemoveRange(0, remove);
                head = head with { AnchorSequence = last.Sequence, AnchorHash = last.Hash };
            }

            return Task.FromResult((long)remove);
        }
    }

    /// <summary>Test hook: replaces the stored stored as they are (no checks), as an intruder with access to the store could.</summary>
    internal void Tamper(Func<List<AuditRecord>, List<AuditRecord>> edit)
    {
        lock (gate)
        {
            var edited = edit([.. stored]);
            stored.Clear();
            stored.AddRange(edited);
        }
    }
}

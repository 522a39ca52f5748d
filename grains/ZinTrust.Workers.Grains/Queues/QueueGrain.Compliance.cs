using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The queue's part in compliance sweeps: rewriting its records under the active encryption key, and erasing a data
/// subject's jobs. Both walk every job in pages, reading from the store the records the index does not hold.</summary>
internal sealed partial class QueueGrain
{
    private const int SweepPage = 256;

    public async Task<int> Reencrypt()
    {
        ThrowIfPoisoned();
        int written = 0;
        foreach (var page in Pages())
        {
            foreach (var (_, job) in await ReadCurrentAsync(page))
            {
                // The same record again: the store's encryption (EncryptingJobStore) seals it under the active key. No event:
                // nothing about the job changed.
                writer.Upsert(job);
                written++;
            }

            writer.SealIfFull();
            await writer.Commit();
        }

        LogReencrypted(logger, queue, written);
        return written;
    }

    public async Task<SubjectErasure> EraseSubject(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ThrowIfPoisoned();
        var found = new List<string>();
        foreach (var page in Pages())
        {
            foreach (var (entry, job) in await ReadCurrentAsync(page))
            {
                if (job.Headers is { } headers && headers.TryGetValue(JobHeaders.DataSubject, out var named) && named == subject)
                {
                    found.Add(entry.Id);
                }
            }
        }

        int cancelled = 0, anonymised = 0, deleted = 0;
        foreach (var id in found)
        {
            if (index.Get(id) is { } entry && !JobStateMachine.IsSettled(entry.State) && await Cancel(id) == CancelResult.Cancelled)
            {
                cancelled++;   // so no attempt writes a result after the erasure
            }

            var now = time.GetUtcNow();
            if (index.Get(id) is not { Record: { } job })
            {
                continue;   // retention deleted it meanwhile
            }

            if (job.State == JobState.Failed)
            {
                Delete(job, JobDeletionReasons.Erased, now);
                deleted++;
            }
            else if (Apply(job, JobCommand.Erased, now) is not null)
            {
                anonymised++;
            }
        }

        await writer.Commit();
        LogSubjectErased(logger, queue, found.Count);
        return new SubjectErasure { Queues = found.Count > 0 ? 1 : 0, Jobs = found.Count, Cancelled = cancelled, Anonymised = anonymised, Deleted = deleted };
    }

    /// <summary>Every job of the queue in pages, as the index has them now (reserved ones excepted: they are being moved, and
    /// their move writes them).</summary>
    private IEnumerable<List<JobEntry>> Pages()
    {
        var all = Enum.GetValues<JobState>().SelectMany(index.List).Distinct().ToList();
        for (int i = 0; i < all.Count; i += SweepPage)
        {
            yield return all.GetRange(i, Math.Min(SweepPage, all.Count - i));
        }
    }

    /// <summary>The current records of a page: from memory, or read from the store (without reserving) and kept only when the
    /// job did not move during the read, so a sweep never writes back a stale record.</summary>
    private async Task<List<(JobEntry Entry, JobRecord Job)>> ReadCurrentAsync(List<JobEntry> page)
    {
        var current = new List<(JobEntry, JobRecord)>(page.Count);
        var toRead = new List<(JobEntry Entry, int Version)>();
        foreach (var entry in page)
        {
            if (index.Get(entry.Id) != entry)
            {
                continue;   // deleted since the page was taken
            }

            if (reader.InMemory(entry) is { } job)
            {
                current.Add((entry, job));
            }
            else
            {
                toRead.Add((entry, entry.Version));
            }
        }

        if (toRead.Count == 0)
        {
            return current;
        }

        var read = await reader.LoadAsync([.. toRead.Select(r => r.Entry.Id)]);
        ThrowIfPoisoned();
        for (int i = 0; i < toRead.Count; i++)
        {
            var (entry, version) = toRead[i];
            if (read[i] is { } job && index.Get(entry.Id) == entry && entry.Version == version && !entry.Reserved
                && job.State == entry.State && reader.InMemory(entry) is null)
            {
                current.Add((entry, job));
            }
        }

        return current;
    }
}

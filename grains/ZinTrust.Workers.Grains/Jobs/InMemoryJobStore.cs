using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The embedded default: jobs live in this process. Shared by every silo that is handed the same instance
/// (the in-process test clusters do that), so a queue grain that moves between silos finds its jobs.
/// Nothing survives the process.
/// </summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly ConcurrentDictionary<string, QueueData> queues = new(StringComparer.Ordinal);

    public Task<QueueSnapshot> LoadAsync(string queue, long epochFloor, CancellationToken cancellationToken)
    {
        var data = queues.GetOrAdd(queue, static _ => new QueueData());
        lock (data)
        {
            data.Epoch = Math.Max(data.Epoch + 1, epochFloor);
            return Task.FromResult(new QueueSnapshot(data.Jobs.Values.ToArray(), data.Metadata, data.Epoch) { Keys = data.Keys.Values.ToArray() });
        }
    }

    public Task CommitAsync(string queue, long epoch, JobStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var data = queues.GetOrAdd(queue, static _ => new QueueData());
        lock (data)
        {
            if (data.Epoch != epoch)
            {
                throw new JobStoreFencedException($"Queue '{queue}' was claimed by a newer activation (epoch {data.Epoch}, this one {epoch}).");
            }

            foreach (var id in batch.Deletes)
            {
                data.Jobs.Remove(id);
            }

            foreach (var record in batch.Upserts)
            {
                data.Jobs[record.Id] = record;
            }

            foreach (var key in batch.KeyDeletes)
            {
                data.Keys.Remove(key);
            }

            foreach (var key in batch.KeyUpserts)
            {
                data.Keys[key.Key] = key;
            }

            if (batch.Metadata is not null)
            {
                data.Metadata = batch.Metadata;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JobRecord?>> LoadJobsAsync(string queue, IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var found = new JobRecord?[jobIds.Count];
        if (queues.TryGetValue(queue, out var data))
        {
            lock (data)
            {
                for (int i = 0; i < found.Length; i++)
                {
                    found[i] = data.Jobs.GetValueOrDefault(jobIds[i]);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<JobRecord?>>(found);
    }

    public Task<bool> ExistsAsync(string queue, CancellationToken cancellationToken)
    {
        if (!queues.TryGetValue(queue, out var data))
        {
            return Task.FromResult(false);
        }

        lock (data)
        {
            return Task.FromResult(data.Jobs.Count > 0 || data.Metadata is not null || data.Keys.Count > 0);
        }
    }

    public async Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var name in queues.Keys)
        {
            if (await ExistsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                found.Add(name);
            }
        }

        return found;
    }

    /// <summary>Number of job records stored for a queue (diagnostics and tests).</summary>
    public int Count(string queue)
    {
        if (!queues.TryGetValue(queue, out var data))
        {
            return 0;
        }

        lock (data)
        {
            return data.Jobs.Count;
        }
    }

    /// <summary>
    /// A copy of everything stored for a queue, epoch included, to <see cref="Restore"/> later: fault tests use the pair to
    /// model a store that loses its last writes (Redis with AOF fsync every second after a host crash).
    /// </summary>
    public object Copy(string queue)
    {
        var data = queues.GetOrAdd(queue, static _ => new QueueData());
        lock (data)
        {
            return data.Clone();
        }
    }

    /// <summary>Puts back what <see cref="Copy"/> took, forgetting every write since.</summary>
    public void Restore(string queue, object copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        queues[queue] = ((QueueData)copy).Clone();
    }

    private sealed class QueueData
    {
        public Dictionary<string, JobRecord> Jobs { get; private init; } = new(StringComparer.Ordinal);

        public Dictionary<string, IdempotencyKeyRecord> Keys { get; private init; } = new(StringComparer.Ordinal);

        public QueueMetadata? Metadata { get; set; }

        public long Epoch { get; set; }

        public QueueData Clone() => new()
        {
            Jobs = new(Jobs, StringComparer.Ordinal),
            Keys = new(Keys, StringComparer.Ordinal),
            Metadata = Metadata,
            Epoch = Epoch,
        };
    }
}

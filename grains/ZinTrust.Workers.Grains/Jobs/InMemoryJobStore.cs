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

    public Task<QueueSnapshot> LoadAsync(string queue, CancellationToken cancellationToken)
    {
        var data = queues.GetOrAdd(queue, static _ => new QueueData());
        lock (data)
        {
            data.Epoch++;
            return Task.FromResult(new QueueSnapshot(data.Jobs.Values.ToArray(), data.Metadata, data.Epoch));
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

    private sealed class QueueData
    {
        public Dictionary<string, JobRecord> Jobs { get; } = new(StringComparer.Ordinal);

        public QueueMetadata? Metadata { get; set; }

        public long Epoch { get; set; }
    }
}

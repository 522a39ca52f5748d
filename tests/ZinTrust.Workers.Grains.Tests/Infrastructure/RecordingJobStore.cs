using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// Wraps the in-memory store, keeps every record ever written in order per job, and can be told to fail
/// writes (a store outage).
/// </summary>
public sealed class RecordingJobStore : IJobStore
{
    private readonly InMemoryJobStore inner = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JobRecord>> history = new(StringComparer.Ordinal);
    private volatile bool failing;

    public InMemoryJobStore Inner => inner;

    public bool Failing
    {
        get => failing;
        set => failing = value;
    }

    public IReadOnlyList<JobRecord> History(string jobId) =>
        history.TryGetValue(jobId, out var q) ? q.ToArray() : [];

    public IEnumerable<string> JobIds => history.Keys;

    public Task<QueueSnapshot> LoadAsync(string queue, CancellationToken cancellationToken) =>
        failing ? throw new IOException("store offline (test)") : inner.LoadAsync(queue, cancellationToken);

    public async Task CommitAsync(string queue, JobStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (failing)
        {
            throw new IOException("store offline (test)");
        }

        await inner.CommitAsync(queue, batch, cancellationToken);
        foreach (var record in batch.Upserts)
        {
            history.GetOrAdd(record.Id, static _ => new ConcurrentQueue<JobRecord>()).Enqueue(record);
        }
    }

    /// <summary>Jobs whose written history shows any change after a terminal state (must be none).</summary>
    public IReadOnlyList<string> JobsOverwrittenAfterTerminal() => history
        .Where(kv =>
        {
            bool terminal = false;
            foreach (var record in kv.Value)
            {
                if (terminal)
                {
                    return true;
                }

                terminal = JobStateMachine.IsTerminal(record.State);
            }

            return false;
        })
        .Select(kv => kv.Key)
        .ToArray();
}

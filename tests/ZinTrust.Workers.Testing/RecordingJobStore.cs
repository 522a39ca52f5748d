using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// Wraps a job store (in-memory unless given another), keeps every record ever written in order per job, and
/// can be told to fail reads and writes (a store outage) or to hold a read's answer (a slow store).
/// </summary>
public sealed class RecordingJobStore(IJobStore inner, Func<string, int> count) : IJobStore
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JobRecord>> history = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Queue, long Epoch, JobStoreBatch Batch)> commits = new();
    private volatile bool failing;
    private readonly ConcurrentDictionary<string, int> failAfterWriting = new(StringComparer.Ordinal);
    private TaskCompletionSource? nextReadGate;
    private CommitGate? nextCommitGate;
    private int reads;

    public RecordingJobStore()
        : this(new InMemoryJobStore())
    {
    }

    private RecordingJobStore(InMemoryJobStore memory)
        : this(memory, memory.Count)
    {
        Memory = memory;
    }

    /// <summary>The in-memory store underneath (null when another store is wrapped): copy and restore a queue through it to
    /// model a store that loses its last writes.</summary>
    public InMemoryJobStore? Memory { get; }

    /// <summary>Every commit the store accepted, in order.</summary>
    public IReadOnlyList<(string Queue, long Epoch, JobStoreBatch Batch)> Commits => commits.ToArray();

    /// <summary>How many job records the store holds for a queue.</summary>
    public int Count(string queue) => count(queue);

    public bool Failing
    {
        get => failing;
        set => failing = value;
    }

    /// <summary>The next <paramref name="count"/> commits of <paramref name="queue"/> are written, then reported as
    /// failed: a store whose answer was lost (the queue cannot know the write happened).</summary>
    public void FailCommitsAfterWriting(string queue, int count) => failAfterWriting[queue] = count;

    public IReadOnlyList<JobRecord> History(string jobId) =>
        history.TryGetValue(jobId, out var q) ? q.ToArray() : [];

    public IEnumerable<string> JobIds => history.Keys;

    public Task<QueueSnapshot> LoadAsync(string queue, long epochFloor, CancellationToken cancellationToken) =>
        failing ? throw new IOException("store offline (test)") : inner.LoadAsync(queue, epochFloor, cancellationToken);

    public Task<bool> ExistsAsync(string queue, CancellationToken cancellationToken) =>
        failing ? throw new IOException("store offline (test)") : inner.ExistsAsync(queue, cancellationToken);

    public Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken) =>
        failing ? throw new IOException("store offline (test)") : inner.ListQueuesAsync(cancellationToken);

    /// <summary>Job reads (<see cref="LoadJobsAsync"/>) the store has answered so far.</summary>
    public int Reads => Volatile.Read(ref reads);

    /// <summary>
    /// Holds the answer of the next job read until the returned action runs: the store has answered, the reply is still on
    /// its way (a slow network), to test what interleaves with a read.
    /// </summary>
    public Action HoldNextRead()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        nextReadGate = gate;
        return () => gate.TrySetResult();
    }

    public async Task<IReadOnlyList<JobRecord?>> LoadJobsAsync(string queue, IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        var gate = Interlocked.Exchange(ref nextReadGate, null);
        var found = failing ? throw new IOException("store offline (test)") : await inner.LoadJobsAsync(queue, jobIds, cancellationToken);
        Interlocked.Increment(ref reads);
        if (gate is not null)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return found;
    }

    /// <summary>
    /// Holds the next commit before it is written until the returned release runs: a store that is away (a client queueing
    /// commands while it reconnects). <c>Reached</c> completes when a commit is waiting.
    /// </summary>
    public (Task Reached, Action Release) HoldNextCommit()
    {
        var gate = new CommitGate();
        nextCommitGate = gate;
        return (gate.Reached.Task, () => gate.Release.TrySetResult());
    }

    public async Task CommitAsync(string queue, long epoch, JobStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Interlocked.Exchange(ref nextCommitGate, null) is { } gate)
        {
            gate.Reached.TrySetResult();
            await gate.Release.Task.WaitAsync(cancellationToken);
        }

        if (failing)
        {
            throw new IOException("store offline (test)");
        }

        await inner.CommitAsync(queue, epoch, batch, cancellationToken);
        commits.Enqueue((queue, epoch, batch));
        foreach (var record in batch.Upserts)
        {
            history.GetOrAdd(record.Id, static _ => new ConcurrentQueue<JobRecord>()).Enqueue(record);
        }

        int left;
        do
        {
            left = failAfterWriting.GetValueOrDefault(queue);
        }
        while (left > 0 && !failAfterWriting.TryUpdate(queue, left - 1, left));

        if (left > 0)
        {
            throw new IOException("store answer lost (test)");
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

    private sealed class CommitGate
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

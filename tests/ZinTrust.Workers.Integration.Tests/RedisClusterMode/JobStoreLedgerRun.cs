using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// Queue owners driven straight against a job store while a fault is made, with a ledger of every write. Each queue has one
/// owner at a time, which does what a queue grain does: claims the queue (LoadAsync, a new epoch), then commits batches that
/// enqueue jobs, lease them (Active), complete them and delete completed ones. It re-claims the queue every few batches (a
/// reactivation: the snapshot is checked against the ledger, and a batch with the old epoch must be fenced) and after every
/// failed batch (a failed batch may or may not have been applied: the snapshot says which). A reader reads acknowledged jobs
/// back (HMGET, no claim) all along.
/// </summary>
/// <remarks>
/// A job's writes are versions: 1 waiting, 2 active, 3 completed, 4 deleted. The ledger keeps per job the last acknowledged
/// version and the highest attempted one; Redis must hold a version between the two. Lost: an acknowledged write not found
/// (a job missing or older than acknowledged, or a deleted one back). Duplicated: a job twice in one snapshot. Stale commit: a
/// batch with a fenced epoch that Redis accepted (or whose job is found).
/// </remarks>
internal sealed class JobStoreLedgerRun(IJobStore store, IReadOnlyList<string> queues)
{
    private const int ReclaimEvery = 6;
    private static readonly string Payload = new('p', 160);
    private readonly Dictionary<string, QueueOwner> owners = queues.ToDictionary(q => q, q => new QueueOwner(q), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> errors = new(StringComparer.Ordinal);
    private long acknowledgedBatches;
    private long failedBatches;
    private long lost;
    private long duplicated;
    private long staleCommits;
    private long unexpected;
    private long loads;
    private long reads;

    public long AcknowledgedBatches => Interlocked.Read(ref acknowledgedBatches);

    public long FailedBatches => Interlocked.Read(ref failedBatches);

    public long Lost => Interlocked.Read(ref lost);

    public long Duplicated => Interlocked.Read(ref duplicated);

    public long StaleCommits => Interlocked.Read(ref staleCommits);

    public long Unexpected => Interlocked.Read(ref unexpected);

    /// <summary>Calls that failed (batches, claims and reads), whatever the error.</summary>
    public long Failures => errors.Values.Sum();

    /// <summary>Acknowledged batches of one queue (to see a queue's writes flowing).</summary>
    public long AcknowledgedOf(string queue)
    {
        var owner = owners[queue];
        lock (owner)
        {
            return owner.Acknowledged;
        }
    }

    /// <summary>Writers, each owning its share of the queues in turn, until <paramref name="stop"/>.</summary>
    public Task RunWritersAsync(int writers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                var mine = queues.Where((_, i) => i % writers == w).Select(q => owners[q]).ToArray();
                while (!stop.IsCancellationRequested)
                {
                    foreach (var owner in mine)
                    {
                        await StepAsync(owner);
                    }
                }
            },
            CancellationToken.None)));

    /// <summary>Reads acknowledged jobs back until <paramref name="stop"/>: each must be at least as new as acknowledged before the read.</summary>
    public Task RunReaderAsync(CancellationToken stop) => Task.Run(
        async () =>
        {
            int turn = 0;
            while (!stop.IsCancellationRequested)
            {
                var owner = owners[queues[turn++ % queues.Count]];
                (string Id, int Acked)[] sample;
                lock (owner)
                {
                    sample = [.. owner.Jobs.Where(j => j.Value.Acked is > 0 and < 4).Take(20).Select(j => (j.Key, j.Value.Acked))];
                }

                if (sample.Length == 0)
                {
                    await Task.Yield();
                    continue;
                }

                try
                {
                    var found = await store.LoadJobsAsync(owner.Name, [.. sample.Select(s => s.Id)], CancellationToken.None);
                    Interlocked.Increment(ref reads);
                    for (int i = 0; i < sample.Length; i++)
                    {
                        // Deleted since the sample was taken is fine (4 > acked); older than acknowledged is not.
                        int version = found[i] is { } record ? Version(record.State) : 4;
                        if (version < sample[i].Acked)
                        {
                            Interlocked.Increment(ref lost);
                        }
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Count("read " + Kind(ex));
                }
            }
        },
        CancellationToken.None);

    /// <summary>A last claim of every queue, checked against the ledger (retried while the store refuses: the fault is over).</summary>
    public async Task VerifyAllAsync()
    {
        foreach (var owner in owners.Values)
        {
            await Eventually.True(
                async () =>
                {
                    try
                    {
                        await ClaimAsync(owner);
                        return true;
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        Count("final load " + Kind(ex));
                        return false;
                    }
                },
                $"queue {owner.Name} loads after the fault",
                TimeSpan.FromSeconds(60));
        }
    }

    public string Summary(string scenario)
    {
        long acknowledgedJobs = owners.Values.Sum(o => o.Jobs.Count(j => j.Value.Acked > 0));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"ledger [redis cluster: {scenario}]: batches acknowledged={AcknowledgedBatches} failed={FailedBatches} jobs acknowledged={acknowledgedJobs} loads checked={Interlocked.Read(ref loads)} reads={Interlocked.Read(ref reads)} lost={Lost} duplicated={Duplicated} stale-commit={StaleCommits} unexpected={Unexpected} errors={{{string.Join(", ", errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}"))}}}");
    }

    private async Task StepAsync(QueueOwner owner)
    {
        try
        {
            if (owner.NeedsClaim || owner.SinceClaim >= ReclaimEvery)
            {
                long previous = owner.Epoch;
                await ClaimAsync(owner);
                if (previous > 0)
                {
                    await StaleBatchAsync(owner, previous);
                }

                return;
            }

            await CommitAsync(owner);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Count((owner.NeedsClaim ? "load " : "batch ") + Kind(ex));
            owner.NeedsClaim = true;

            // The owner's node is down or its slot moves: the next step retries; a short pause keeps the loop from spinning.
            await Task.Delay(5, CancellationToken.None);
        }
    }

    private async Task ClaimAsync(QueueOwner owner)
    {
        owner.NeedsClaim = true;
        var snapshot = await store.LoadAsync(owner.Name, 0, CancellationToken.None);
        Interlocked.Increment(ref loads);
        lock (owner)
        {
            var found = new Dictionary<string, JobRecord>(StringComparer.Ordinal);
            foreach (var job in snapshot.Jobs)
            {
                if (!found.TryAdd(job.Id, job))
                {
                    Interlocked.Increment(ref duplicated);
                }
            }

            foreach (var id in found.Keys.Where(id => !owner.Jobs.ContainsKey(id)))
            {
                // A job of a fenced batch, a deleted job back, or one the ledger never wrote.
                if (id.StartsWith("stale-", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref staleCommits);
                }
                else if (owner.Deleted.Contains(id))
                {
                    Interlocked.Increment(ref lost);
                }
                else
                {
                    Interlocked.Increment(ref unexpected);
                }
            }

            foreach (var (id, entry) in owner.Jobs.ToList())
            {
                if (!found.TryGetValue(id, out var record))
                {
                    // Missing is right for a job never acknowledged (its enqueue failed) or whose delete was attempted.
                    if (entry.Acked > 0 && entry.Attempted < 4)
                    {
                        Interlocked.Increment(ref lost);
                    }

                    owner.Jobs.Remove(id);
                    if (entry.Acked > 0)
                    {
                        owner.Deleted.Add(id);
                    }

                    continue;
                }

                int version = Version(record.State);
                if (version < entry.Acked)
                {
                    Interlocked.Increment(ref lost);
                }
                else if (version > entry.Attempted)
                {
                    Interlocked.Increment(ref unexpected);
                }

                // What Redis holds now is what this owner goes on from (the claim fenced every older batch).
                entry.Acked = entry.Attempted = version;
            }

            owner.Epoch = snapshot.Epoch;
            owner.SinceClaim = 0;
            owner.NeedsClaim = false;
        }
    }

    private async Task StaleBatchAsync(QueueOwner owner, long staleEpoch)
    {
        var stale = Record(owner.Name, "stale-" + Guid.NewGuid().ToString("N"), JobState.Waiting);
        try
        {
            await store.CommitAsync(owner.Name, staleEpoch, new JobStoreBatch([stale], [], null), CancellationToken.None);
            Interlocked.Increment(ref staleCommits);
        }
        catch (JobStoreFencedException)
        {
            // Expected: the claim just made fenced the epoch before it.
        }
    }

    private async Task CommitAsync(QueueOwner owner)
    {
        var upserts = new List<JobRecord>();
        var deletes = new List<string>();
        lock (owner)
        {
            for (int i = 0; i < 3; i++)
            {
                string id = owner.Name + "-" + (owner.Next++).ToString(CultureInfo.InvariantCulture);
                owner.Jobs[id] = new Entry();
                upserts.Add(Record(owner.Name, id, JobState.Waiting));
            }

            foreach (var (id, _) in owner.Jobs.Where(j => j.Value.Acked == 3).Take(2).ToList())
            {
                deletes.Add(id);
            }

            foreach (var (id, _) in owner.Jobs.Where(j => j.Value.Acked == 2).Take(2).ToList())
            {
                upserts.Add(Record(owner.Name, id, JobState.Completed));
            }

            foreach (var (id, _) in owner.Jobs.Where(j => j.Value.Acked == 1).Take(2).ToList())
            {
                upserts.Add(Record(owner.Name, id, JobState.Active));
            }

            foreach (var record in upserts)
            {
                var entry = owner.Jobs[record.Id];
                entry.Attempted = Math.Max(entry.Attempted, Version(record.State));
            }

            foreach (var id in deletes)
            {
                owner.Jobs[id].Attempted = 4;
            }
        }

        try
        {
            await store.CommitAsync(owner.Name, owner.Epoch, new JobStoreBatch(upserts, deletes, null), CancellationToken.None);
        }
        catch
        {
            Interlocked.Increment(ref failedBatches);
            throw;
        }

        Interlocked.Increment(ref acknowledgedBatches);
        lock (owner)
        {
            foreach (var record in upserts)
            {
                owner.Jobs[record.Id].Acked = Version(record.State);
            }

            foreach (var id in deletes)
            {
                owner.Jobs.Remove(id);
                owner.Deleted.Add(id);
            }

            owner.SinceClaim++;
            owner.Acknowledged++;
        }
    }

    private void Count(string error) => errors.AddOrUpdate(error, 1, (_, n) => n + 1);

    private static string Kind(Exception ex) =>
        ex is RedisServerException server ? server.Message.Split(' ')[0] : ex.GetType().Name;

    private static int Version(JobState state) => state switch
    {
        JobState.Waiting => 1,
        JobState.Active => 2,
        JobState.Completed => 3,
        _ => throw new InvalidOperationException($"The run writes no {state} job."),
    };

    private static JobRecord Record(string queue, string id, JobState state) => new()
    {
        Id = id,
        Queue = queue,
        Payload = Payload,
        State = state,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private sealed class QueueOwner(string name)
    {
        public string Name { get; } = name;

        public long Epoch { get; set; }

        public bool NeedsClaim { get; set; } = true;

        public int SinceClaim { get; set; }

        public int Next { get; set; }

        public long Acknowledged { get; set; }

        public Dictionary<string, Entry> Jobs { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Deleted { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Entry
    {
        public int Acked { get; set; }

        public int Attempted { get; set; }
    }
}

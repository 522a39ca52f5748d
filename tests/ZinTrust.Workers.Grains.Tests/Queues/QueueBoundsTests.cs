using Orleans.Configuration;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>What a queue holds is bounded: idle activations go, dead letters are capped, store writes are capped, and a full
/// queue pushes back.</summary>
public sealed class QueueBoundsTests
{
    [Fact]
    public async Task AnIdleQueue_IsCollected_ButOneWithDelayedJobsStays()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, silo: (_, silo) => silo.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionQuantum = TimeSpan.FromMilliseconds(500);
            o.CollectionAge = TimeSpan.FromSeconds(2);
        }));
        var idle = c.Queue("q-bounds-idle");
        var waiting = c.Queue("q-bounds-delayed");
        var done = await idle.Enqueue(new EnqueueRequest { Payload = "{}" });
        var lease = Assert.Single(await idle.Lease("r/0", 1));
        await idle.Report("r/0", [new JobOutcome { JobId = done.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Completed }]);
        await waiting.Enqueue(new EnqueueRequest { Payload = "{}", Delay = TimeSpan.FromDays(1) });
        var management = c.Client.GetGrain<IManagementGrain>(0);
        var type = idle.GetGrainId().Type;

        await Eventually.True(async () => !(await management.GetActiveGrains(type, TestContext.Current.CancellationToken)).Contains(idle.GetGrainId()), "the idle queue was collected", TimeSpan.FromSeconds(20));

        Assert.Contains(waiting.GetGrainId(), await management.GetActiveGrains(type, TestContext.Current.CancellationToken));
        Assert.Equal(JobState.Completed, (await idle.GetJob(done.JobId))!.State);   // reloaded from the store on demand
    }

    [Fact]
    public async Task DeadLetters_PastTheirBound_DropTheOldest_AndAreCounted()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-bounds-dead");
        await queue.SetPolicy(new JobOptions { MaxDeadLetters = 3 });
        var acks = await queue.EnqueueBatch([.. Enumerable.Range(0, 5).Select(i => new EnqueueRequest { Payload = $"[{i}]" })]);

        foreach (var ack in acks)
        {
            var lease = Assert.Single(await queue.Lease("r/0", 1));
            await queue.Report("r/0", [new JobOutcome { JobId = lease.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.FailedUnrecoverable, Error = "no" }]);
        }

        var stats = await queue.GetStats();
        Assert.Equal(3, stats.Failed);
        Assert.Equal(2, stats.Counters.DeadLettersDropped);
        Assert.Equal(acks.Skip(2).Select(a => a.JobId), (await queue.ListJobs(JobState.Failed, 0, 10)).Select(j => j.Id));
        Assert.Equal(3, c.Store.Count("q-bounds-dead"));
    }

    [Fact]
    public async Task StoreWrites_AreCapped_ButABatchCallIsNeverSplit()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, configure: o =>
        {
            o.StoreWriteMaxJobs = 10;
            o.StoreWriteMaxBytes = 64 * 1024;
        });
        var queue = c.Queue("q-bounds-write");

        var singles = Enumerable.Range(0, 60).Select(i => queue.Enqueue(new EnqueueRequest { Payload = $"[{i}]" }));
        var batches = Enumerable.Range(0, 4).Select(b => queue.EnqueueBatch([.. Enumerable.Range(0, 7).Select(i => new EnqueueRequest { Payload = $"[{b},{i}]" })]));
        var tooMany = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueBatch([.. Enumerable.Range(0, 11).Select(_ => new EnqueueRequest { Payload = "{}" })]));
        var tooBig = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueBatch([.. Enumerable.Range(0, 5).Select(_ => new EnqueueRequest { Payload = $"\"{new string('x', 20_000)}\"" })]));
        await Task.WhenAll(singles);
        var batched = await Task.WhenAll(batches);

        Assert.Equal((WorkersErrorCodes.InvalidBatch, WorkersErrorCodes.InvalidBatch), (tooMany.Code, tooBig.Code));
        var writes = c.Store.Commits.Where(w => w.Queue == "q-bounds-write").Select(w => w.Batch).ToArray();
        Assert.All(writes, w => Assert.True(w.Upserts.Count + w.Deletes.Count <= 10, $"a write of {w.Upserts.Count} records"));
        foreach (var batch in batched)
        {
            Assert.Single(writes, w => batch.All(a => w.Upserts.Any(u => u.Id == a.JobId)));
        }

        Assert.Equal(88, (await queue.GetStats()).Waiting);
    }

    [Fact]
    public async Task AFullQueue_RefusesNewJobs_WithARetryAfter_ButNotKnownKeysOrRetries()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-bounds-full");
        await queue.SetPolicy(new JobOptions { MaxWaiting = 3, Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.Zero } });
        var known = await queue.Enqueue(new EnqueueRequest { Payload = "{}", IdempotencyKey = "k" });
        await queue.EnqueueBatch([new EnqueueRequest { Payload = "[1]" }, new EnqueueRequest { Payload = "[2]", Delay = TimeSpan.FromHours(1) }]);

        var full = await Assert.ThrowsAsync<WorkersException>(() => queue.Enqueue(new EnqueueRequest { Payload = "[3]" }));
        var batch = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueBatch([new EnqueueRequest { Payload = "[4]" }]));
        var again = await queue.Enqueue(new EnqueueRequest { Payload = "{}", IdempotencyKey = "k" });

        Assert.Equal((WorkersErrorCodes.QueueFull, WorkersErrorCodes.QueueFull), (full.Code, batch.Code));
        Assert.InRange(full.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal((known.JobId, false), (again.JobId, again.Created));
        Assert.Equal(2, (await queue.GetStats()).Counters.Refused);

        // A failed attempt goes back to the full queue, and a job taken frees a place.
        var lease = Assert.Single(await queue.Lease("r/0", 1));
        Assert.Equal([AckStatus.Accepted], await queue.Report("r/0", [new JobOutcome { JobId = lease.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Failed, Error = "again" }]));
        Assert.Equal(3, (await queue.GetStats()) is var s ? s.Waiting + s.Delayed : 0);
        Assert.Single(await queue.Lease("r/0", 1));
        Assert.True((await queue.Enqueue(new EnqueueRequest { Payload = "[5]" })).Created);
    }
}

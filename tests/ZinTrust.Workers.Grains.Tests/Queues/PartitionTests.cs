using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Partitioned queues: jobs spread over the partitions and each runs once; ids, keys and groups find their partition;
/// queue-wide reads and actions cover every partition; the count is fixed while the queue holds work; a lost silo loses nothing.</summary>
public sealed class PartitionTests
{
    private static JobOptions Partitioned(int partitions) => new() { Partitions = partitions, LeaseDuration = TimeSpan.FromSeconds(2) };

    private static EnqueueRequest Job(TestJob job, string? key = null, string? group = null) =>
        new() { Payload = ExecutionLedger.Payload(job), IdempotencyKey = key, Group = group };

    [Fact]
    public async Task Jobs_SpreadOverEveryPartition_EachCompletesExactlyOnce_AndStatsAddUp()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        var router = QueuePartitions.Of(c.Client);
        await c.StartWorker("spread", "spread-q", concurrency: 8, replicas: 2, jobOptions: Partitioned(4));
        var ids = new List<string>();
        for (int i = 0; i < 100; i++)
        {
            ids.Add((await router.EnqueueAsync("spread-q", Job(new TestJob { Tag = $"s{i}" }))).JobId);
        }

        ids.AddRange((await router.EnqueueBatchAsync("spread-q", [.. Enumerable.Range(0, 100).Select(i => Job(new TestJob { Tag = $"b{i}" }))])).Select(a => a.JobId));

        // Concurrent single enqueues sharing calls (one batcher per partition grain): each partition takes its own.
        var batchers = new EnqueueBatchers(c.Client);
        var coalesced = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => router.EnqueueAsync("spread-q", Job(new TestJob { Tag = $"c{i}" }), batchers)));
        Assert.Equal([0, 1, 2, 3], coalesced.Select(a => QueuePartitions.PartitionOf(a.JobId)).Distinct().Order());
        ids.AddRange(coalesced.Select(a => a.JobId));
        Assert.Equal([0, 1, 2, 3], ids.Select(QueuePartitions.PartitionOf).Distinct().Order());

        await Eventually.True(async () => (await router.GetStatsAsync("spread-q")).Completed == ids.Count, "all 300 jobs complete");
        foreach (var id in ids)
        {
            Assert.Equal(JobState.Completed, (await router.ForJob("spread-q", id).GetJob(id))!.State);
        }

        // Ledger: lost 0 (every id completed), duplicated 0 (each ran once), nothing unexpected ran.
        Assert.Equal(ids.Order(StringComparer.Ordinal), c.Ledger.Executions.Select(e => e.JobId).Order(StringComparer.Ordinal));
        Assert.All(c.Ledger.Executions, e => Assert.Equal("spread-q", e.Queue));
        var stats = await router.GetStatsAsync("spread-q");
        Assert.Equal((4, 300, 0, 300), (stats.Partitions, stats.Completed, stats.Waiting, (int)stats.Counters.Completed));
        foreach (int p in Enumerable.Range(0, 4))
        {
            var own = await router.Partition("spread-q", p).GetStats();
            Assert.Equal(ids.Count(id => QueuePartitions.PartitionOf(id) == p), own.Completed);
        }

        var page = await router.ListJobsAsync("spread-q", JobState.Completed, 10, 50);
        Assert.Equal(50, page.Count);
        Assert.True(page.Zip(page.Skip(1)).All(pair => pair.First.FinishedAt <= pair.Second.FinishedAt), "the merged page is in finishing order");
    }

    [Fact]
    public async Task GetAndCancel_ById_ReachEveryPartition_AndPause_StopsLeasingEverywhere()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var router = QueuePartitions.Of(c.Client);
        await c.StartWorker("pausing", "pausing-q", concurrency: 4, jobOptions: Partitioned(3));
        await router.PauseAsync("pausing-q");
        var ids = (await Task.WhenAll(Enumerable.Range(0, 12).Select(i => router.EnqueueAsync("pausing-q", Job(new TestJob { Tag = $"p{i}" }))))).Select(a => a.JobId).ToList();
        Assert.Equal([0, 1, 2], ids.Select(QueuePartitions.PartitionOf).Distinct().Order());

        var stats = await router.GetStatsAsync("pausing-q");
        Assert.True(stats.Paused);
        Assert.Equal(12, stats.Waiting);
        foreach (int p in Enumerable.Range(0, 3))
        {
            Assert.True((await router.Partition("pausing-q", p).GetStats()).Paused, $"partition {p} is paused");
        }

        Assert.Empty(c.Ledger.Executions);
        var cancelled = ids.Where((_, i) => i % 2 == 0).ToList();
        foreach (var id in ids)
        {
            Assert.Equal(JobState.Waiting, (await router.ForJob("pausing-q", id).GetJob(id))!.State);
        }

        foreach (var id in cancelled)
        {
            Assert.Equal(CancelResult.Cancelled, await router.ForJob("pausing-q", id).Cancel(id));
        }

        await router.ResumeAsync("pausing-q");
        foreach (var id in ids)
        {
            var job = await Eventually.Get(() => router.ForJob("pausing-q", id).GetJob(id), j => j is { State: JobState.Completed or JobState.Cancelled }, $"job {id} settles");
            Assert.Equal(cancelled.Contains(id) ? JobState.Cancelled : JobState.Completed, job!.State);
        }

        Assert.Equal(ids.Except(cancelled).Order(StringComparer.Ordinal), c.Ledger.Executions.Select(e => e.JobId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnIdempotencyKey_FindsItsJobAgain_AndAGroupStaysInOnePartition()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var router = QueuePartitions.Of(c.Client);
        await c.Worker("keyed").Create(new WorkerDefinition { Name = "keyed", QueueName = "keyed-q", Processor = "test", JobOptions = Partitioned(8) });
        foreach (int i in Enumerable.Range(0, 20))
        {
            var first = await router.EnqueueAsync("keyed-q", Job(new TestJob { Tag = "k" }, key: $"order-{i}"));
            var again = await router.EnqueueAsync("keyed-q", Job(new TestJob { Tag = "k" }, key: $"order-{i}"));
            Assert.True(first.Created);
            Assert.Equal((first.JobId, false), (again.JobId, again.Created));
            Assert.Equal(QueuePartitions.PinnedPartition(new EnqueueRequest { IdempotencyKey = $"order-{i}" }, 8), QueuePartitions.PartitionOf(first.JobId));
        }

        var grouped = await router.EnqueueBatchAsync("keyed-q", [.. Enumerable.Range(0, 16).Select(i => Job(new TestJob(), group: i % 2 == 0 ? "tenant-a" : "tenant-b"))]);
        foreach (var tenant in grouped.Select((a, i) => (a.JobId, Group: i % 2 == 0 ? "tenant-a" : "tenant-b")).GroupBy(j => j.Group))
        {
            Assert.Single(tenant.Select(j => QueuePartitions.PartitionOf(j.JobId)).Distinct());
        }

        // A partition refuses a job its count places elsewhere (the router would have re-read the count and sent it on).
        var pinned = QueuePartitions.PinnedPartition(new EnqueueRequest { Group = "tenant-a" }, 8)!.Value;
        var refused = await Assert.ThrowsAsync<WorkersException>(() => router.Partition("keyed-q", (pinned + 1) % 8).Enqueue(Job(new TestJob(), group: "tenant-a")));
        Assert.Equal(WorkersErrorCodes.PartitionMismatch, refused.Code);
        Assert.Equal(36, (await router.GetStatsAsync("keyed-q")).Waiting);
    }

    [Fact]
    public async Task ThePartitionCount_IsRefusedWhileJobsWait_AndChangesWhenEveryPartitionIsEmpty()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var router = QueuePartitions.Of(c.Client);
        var worker = c.Worker("resized");
        await worker.Create(new WorkerDefinition { Name = "resized", QueueName = "resized-q", Processor = "test", JobOptions = Partitioned(2) });
        var waiting = await router.EnqueueBatchAsync("resized-q", [.. Enumerable.Range(0, 6).Select(_ => Job(new TestJob()))]);

        var locked = await Assert.ThrowsAsync<WorkersException>(() => worker.Update(new WorkerUpdate { JobOptions = Partitioned(4) }));
        Assert.Equal(WorkersErrorCodes.PartitionsLocked, locked.Code);
        var direct = await Assert.ThrowsAsync<WorkersException>(() => router.Partition("resized-q", 0).SetPolicy(Partitioned(4)));
        Assert.Equal(WorkersErrorCodes.PartitionsLocked, direct.Code);
        Assert.Equal(2, (await worker.Get())!.Definition.JobOptions.Partitions);
        Assert.Equal(2, (await router.Partition("resized-q", 1).GetPolicy()).Partitions);

        foreach (var ack in waiting)
        {
            await router.ForJob("resized-q", ack.JobId).Cancel(ack.JobId);
        }

        // Settled jobs do not hold the count, unless their partition goes: shrinking needs those pruned first.
        await worker.Update(new WorkerUpdate { JobOptions = Partitioned(4) });
        int[] counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(async p => (await router.Partition("resized-q", p).GetPolicy()).Partitions));
        Assert.Equal([4, 4, 4, 4], counts);
        router.Forget("resized-q");
        var spread = await router.EnqueueBatchAsync("resized-q", [Job(new TestJob())]);
        await router.ForJob("resized-q", spread[0].JobId).Cancel(spread[0].JobId);
        if (QueuePartitions.PartitionOf(spread[0].JobId) >= 1)
        {
            var shrink = await Assert.ThrowsAsync<WorkersException>(() => worker.Update(new WorkerUpdate { JobOptions = Partitioned(1) }));
            Assert.Equal(WorkersErrorCodes.PartitionsLocked, shrink.Code);
        }

        await router.PruneAsync("resized-q", TimeSpan.Zero, includeDeadLetters: true);
        await worker.Update(new WorkerUpdate { JobOptions = Partitioned(1) });
        Assert.Equal(1, (await router.GetStatsAsync("resized-q")).Partitions);
        var retired = await Assert.ThrowsAsync<WorkersException>(() => router.Partition("resized-q", 3).Enqueue(Job(new TestJob())));
        Assert.Equal(WorkersErrorCodes.PartitionMismatch, retired.Code);
    }

    [Theory]
    [InlineData(0, WorkersErrorCodes.InvalidJobOptions)]
    [InlineData(65, WorkersErrorCodes.InvalidJobOptions)]
    public async Task AnOutOfRangeCount_IsRefused(int partitions, string code)
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var error = await Assert.ThrowsAsync<WorkersException>(() => c.Worker("bad-n").Create(new WorkerDefinition { Name = "bad-n", QueueName = "bad-n-q", Processor = "test", JobOptions = new JobOptions { Partitions = partitions } }));
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task AGlobalConcurrencyOrRateLimit_OnAPartitionedQueue_IsRefused()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        foreach (var options in new[] { new JobOptions { Partitions = 2, GlobalConcurrency = 5 }, new JobOptions { Partitions = 2, RateLimit = new RateLimit { Max = 5, Duration = TimeSpan.FromSeconds(1) } } })
        {
            var error = await Assert.ThrowsAsync<WorkersException>(() => c.Worker("limited").Create(new WorkerDefinition { Name = "limited", QueueName = "limited-q", Processor = "test", JobOptions = options }));
            Assert.Equal(WorkersErrorCodes.PartitionsConflict, error.Code);
        }
    }

    [Fact]
    public async Task AFlow_OnPartitionedQueues_RunsItsParentOnceAfterChildrenInOtherPartitions()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("flow-parts", "flow-parts-q", concurrency: 4, jobOptions: Partitioned(4));
        static JobFlow Node(TestJob job, params JobFlow[] children) =>
            new() { Queue = "flow-parts-q", Job = new EnqueueRequest { Payload = ExecutionLedger.Payload(job) }, Children = children };
        var flow = await JobFlows.CreateAsync(c.Client, Node(new TestJob { Tag = "parent" }, [.. Enumerable.Range(0, 6).Select(i => Node(new TestJob { Tag = $"kid{i}" }))]), "flow-parts", TestContext.Current.CancellationToken);
        Assert.True(flow.Children.Select(k => QueuePartitions.PartitionOf(k.JobId)).Distinct().Count() > 1, "the children spread over partitions");

        var router = QueuePartitions.Of(c.Client);
        await Eventually.Get(() => router.ForJob("flow-parts-q", flow.JobId).GetJob(flow.JobId), j => j!.State == JobState.Completed, "the parent completes");
        var run = Assert.Single(c.Ledger.For(flow.JobId));
        Assert.Equal([.. Enumerable.Range(0, 6)], run.Children.Select(o => o.Index));
        Assert.Equal(7, c.Ledger.Executions.Count);
    }

    [Fact]
    public async Task KilledSilo_HoldingAPartition_LosesNothing_AndEachJobEndsOnce()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3);
        var router = QueuePartitions.Of(c.Client);
        await c.StartWorker("parts-kill", "parts-kill-q", concurrency: 4, replicas: 2, jobOptions: Partitioned(4));
        var ids = (await router.EnqueueBatchAsync("parts-kill-q", [.. Enumerable.Range(0, 40).Select(i => Job(new TestJob { SleepMs = 150, Tag = $"k{i}" }, key: $"kill-{i}"))])).Select(a => a.JobId).ToList();
        Assert.Equal(4, ids.Select(QueuePartitions.PartitionOf).Distinct().Count());

        await Eventually.True(() => c.Ledger.Executions.Count >= 4, "jobs are running");
        var hosts = new List<SiloAddress?>();
        foreach (int p in Enumerable.Range(0, 4))
        {
            hosts.Add(await c.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(router.Partition("parts-kill-q", p), TestContext.Current.CancellationToken));
        }

        var busiest = hosts.OfType<SiloAddress>().GroupBy(h => h).OrderByDescending(g => g.Count()).First().Key;   // the silo holding most partitions
        var victim = c.Cluster.Silos.Single(s => s.SiloAddress.Equals(busiest));
        await c.Cluster.KillSiloAsync(victim, TestContext.Current.CancellationToken);

        foreach (var id in ids)
        {
            await Eventually.Get(() => router.ForJob("parts-kill-q", id).GetJob(id), j => j?.State == JobState.Completed, $"job {id} completes", TimeSpan.FromSeconds(60));
        }

        // Ledger: lost 0 (all 40 completed), no dead letters, nothing unexpected ran; re-runs at most the 8 slots in flight.
        Assert.Empty(await router.ListJobsAsync("parts-kill-q", JobState.Failed, 0, 10));
        Assert.True(c.Ledger.Executions.All(e => ids.Contains(e.JobId)), "only enqueued jobs ran");
        Assert.InRange(c.Ledger.Executions.Count - ids.Count, 0, 8);
    }

    [Fact]
    public async Task ARunningWorker_LeasesFromEveryPartition_AfterItsQueueGrowsAndShrinks()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        var router = QueuePartitions.Of(c.Client);
        var worker = c.Worker("regrown");
        await c.StartWorker("regrown", "regrown-q", concurrency: 4, replicas: 2, jobOptions: Partitioned(1));
        var ids = new List<string>();
        async Task RunAll(int count, int partitions, string tag)
        {
            // Single enqueues: each goes to its id's partition (a batch goes whole to one).
            var batch = await Task.WhenAll(Enumerable.Range(0, count).Select(i => router.EnqueueAsync("regrown-q", Job(new TestJob { Tag = $"{tag}{i}" }))));
            Assert.Equal([.. Enumerable.Range(0, partitions)], batch.Select(a => QueuePartitions.PartitionOf(a.JobId)).Distinct().Order());
            ids.AddRange(batch.Select(a => a.JobId));
            await Eventually.True(async () => (await router.GetStatsAsync("regrown-q")).Completed == ids.Count, $"the {tag} jobs complete on {partitions} partition(s)");
        }

        await RunAll(30, 1, "one");

        // The replicas keep running while the queue, empty, goes to 3 partitions and back to 1 (the retired ones pruned). The
        // worker hands its replicas the new count at once; this enqueuer's router would see it within CountTtl, and is told now.
        await worker.Update(new WorkerUpdate { JobOptions = Partitioned(3) });
        router.Forget("regrown-q");
        await RunAll(60, 3, "three");
        await router.PruneAsync("regrown-q", TimeSpan.Zero, includeDeadLetters: true);
        await worker.Update(new WorkerUpdate { JobOptions = Partitioned(1) });
        router.Forget("regrown-q");
        ids.Clear();
        await RunAll(30, 1, "back");

        // Ledger: every job ran once, lost 0 (the last 30 counted on the pruned queue).
        Assert.Equal(120, c.Ledger.Executions.Count);
        Assert.Equal(120, c.Ledger.Executions.Select(e => e.JobId).Distinct().Count());
        Assert.Equal((1, 30), ((await router.GetStatsAsync("regrown-q")).Partitions, (await router.GetStatsAsync("regrown-q")).Completed));
    }
}

using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Multi-queue workers: one worker consumes several queues, shares its slots by their weights, reports each job to
/// the queue it came from, and survives the loss of a silo like any worker.</summary>
public sealed class MultiQueueTests
{
    private static WorkerDefinition Definition(string name, int concurrency, int replicas, params (string Queue, int Weight)[] queues) => new()
    {
        Name = name,
        QueueName = queues[0].Queue,
        Queues = [.. queues.Select(q => new WorkerQueue { Name = q.Queue, Weight = q.Weight })],
        Processor = "test",
        Concurrency = concurrency,
        Replicas = replicas,
        JobOptions = new JobOptions { LeaseDuration = TimeSpan.FromSeconds(2) },
    };

    [Fact]
    public async Task Slots_AreSharedByWeight_WhileEveryQueueHasJobs_AndEachJobIsToldItsQueue()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var worker = c.Worker("weighted");
        await worker.Create(Definition("weighted", concurrency: 1, replicas: 1, ("urgent-q", 3), ("bulk-q", 1)));
        var ids = new List<(string Queue, string Id)>();
        for (int i = 0; i < 40; i++)
        {
            ids.Add(("urgent-q", (await c.Enqueue("urgent-q", new TestJob { Tag = "urgent" })).JobId));
            ids.Add(("bulk-q", (await c.Enqueue("bulk-q", new TestJob { Tag = "bulk" })).JobId));
        }

        await worker.Start();
        foreach (var (queue, id) in ids)
        {
            Assert.Equal(JobState.Completed, (await c.WaitForState(queue, id, JobState.Completed)).State);
        }

        // One slot, one job at a time: while both queues had jobs, three from the queue of weight 3 for each from the other.
        var first = c.Ledger.Executions.Take(40).ToList();
        Assert.Equal((30, 10), (first.Count(e => e.Tag == "urgent"), first.Count(e => e.Tag == "bulk")));
        Assert.All(c.Ledger.Executions, e => Assert.Equal(e.Tag == "urgent" ? "urgent-q" : "bulk-q", e.Queue));
        Assert.Equal(80, c.Ledger.Executions.Count);   // each ran once: reported to its own queue
    }

    [Fact]
    public async Task AQueueWithoutJobs_LeavesItsShareToTheOthers_AndWakesTheWorkerWhenJobsArrive()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var worker = c.Worker("sharing");
        await worker.Create(Definition("sharing", concurrency: 4, replicas: 1, ("idle-q", 10), ("busy-q", 1)));
        await worker.Start();
        var busy = await c.Queue("busy-q").EnqueueBatch([.. Enumerable.Range(0, 12).Select(_ => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { SleepMs = 100 }) })]);

        foreach (var ack in busy)
        {
            await c.WaitForState("busy-q", ack.JobId, JobState.Completed);
        }

        Assert.Equal(4, c.Ledger.MaxConcurrent);   // the idle queue's share of 10 went to the busy one

        var late = await c.Enqueue("idle-q", new TestJob { Tag = "late" });   // the idle queue wakes the replica
        Assert.Equal("idle-q", (await c.WaitForState("idle-q", late.JobId, JobState.Completed)).Queue);
        var stats = await c.Queue("idle-q").GetStats();
        Assert.Equal(1, stats.Completed);
    }

    [Fact]
    public async Task KilledSilo_RunningAMultiQueueReplica_JobsOfEveryQueueRunElsewhere_NoneLost()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3);
        var worker = c.Worker("spread-multi");
        await worker.Create(Definition("spread-multi", concurrency: 4, replicas: 2, ("left-q", 1), ("right-q", 1)));
        await worker.Start();
        var ids = new List<(string Queue, string Id)>();
        for (int i = 0; i < 16; i++)
        {
            string queue = i % 2 == 0 ? "left-q" : "right-q";
            ids.Add((queue, (await c.Enqueue(queue, new TestJob { SleepMs = 300, Tag = $"m{i}" })).JobId));
        }

        await Eventually.True(() => c.Ledger.Executions.Count >= 4, "the replicas are busy");
        var replicaSilo = (await worker.GetStatus()).Replicas[0].Silo;
        await c.Cluster.KillSiloAsync(c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == replicaSilo), TestContext.Current.CancellationToken);

        foreach (var (queue, id) in ids)
        {
            await c.WaitForState(queue, id, JobState.Completed, TimeSpan.FromSeconds(60));
        }

        // Ledger: lost 0 (all 16 completed), double-terminal 0 (no dead letters in either queue); the attempts cut short on the
        // dead silo ran again: at most the dead replica's 4 slots.
        Assert.Empty(await c.Queue("left-q").ListJobs(JobState.Failed, 0, 10));
        Assert.Empty(await c.Queue("right-q").ListJobs(JobState.Failed, 0, 10));
        Assert.InRange(c.Ledger.Executions.Count - ids.Count, 0, 4);
    }
}

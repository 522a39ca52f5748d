using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Flows: a parent waits for its children (in other queues, at any depth), runs once with their outcomes, fails or
/// goes on when a child fails as the flow says, is created idempotently, and survives the loss of its queue's silo.</summary>
public sealed class FlowTests
{
    private static JobFlow Flow(string queue, TestJob job, params JobFlow[] children) =>
        new() { Queue = queue, Job = new EnqueueRequest { Payload = ExecutionLedger.Payload(job) }, Children = children };

    private static async Task StartWorkers(WorkersCluster c, params string[] queues)
    {
        foreach (var queue in queues)
        {
            await c.StartWorker($"w-{queue}", queue, concurrency: 2);
        }
    }

    [Fact]
    public async Task AParent_WaitsForItsChildrenInOtherQueues_ThenRunsOnceWithTheirResults()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await StartWorkers(c, "parents-q", "left-kids-q", "right-kids-q");
        await c.Queue("right-kids-q").Pause();   // holds one child back, so the parent must be waiting for it
        var flow = await JobFlows.CreateAsync(c.Client, Flow("parents-q", new TestJob { Tag = "parent" },
            Flow("left-kids-q", new TestJob { Tag = "left" }), Flow("right-kids-q", new TestJob { Tag = "right" })), "flow-results", TestContext.Current.CancellationToken);

        var left = await c.WaitForState("left-kids-q", flow.Children[0].JobId, JobState.Completed);
        var waiting = await c.Queue("parents-q").GetJob(flow.JobId);
        Assert.Equal(JobState.WaitingChildren, waiting!.State);
        Assert.Equal(2, waiting.ChildrenExpected);
        Assert.Equal(1, (await c.Queue("parents-q").GetStats()).WaitingChildren);
        await Eventually.Get(() => c.Queue("parents-q").GetJob(flow.JobId), j => j!.Children?.Count == 1, "the parent records the first child");
        Assert.Empty(c.Ledger.For(flow.JobId));

        await c.Queue("right-kids-q").Resume();
        var parent = await c.WaitForState("parents-q", flow.JobId, JobState.Completed);
        var right = await c.Queue("right-kids-q").GetJob(flow.Children[1].JobId);

        var run = Assert.Single(c.Ledger.For(flow.JobId));
        Assert.Equal([0, 1], run.Children.Select(o => o.Index));
        Assert.All(run.Children, o => Assert.Equal(JobState.Completed, o.State));
        Assert.Contains("\"tag\":\"left\"", run.Children[0].Result, StringComparison.Ordinal);
        Assert.Contains("\"tag\":\"right\"", run.Children[1].Result, StringComparison.Ordinal);
        Assert.True(parent.StartedAt >= left.FinishedAt && parent.StartedAt >= right!.FinishedAt, "the parent started after both children finished");
        Assert.Equal(new FlowRef { Queue = "parents-q", JobId = flow.JobId, Index = 1 }, right!.Parent);
        Assert.True(right.ParentNotified);
    }

    [Fact]
    public async Task AFailedChild_DeadLettersItsParent_OrIsRecordedAndIgnored_AsTheFlowSays()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await StartWorkers(c, "strict-q", "lenient-q", "kids-q");
        var broken = new TestJob { Tag = "broken", Unrecoverable = true };
        var strict = await JobFlows.CreateAsync(c.Client, Flow("strict-q", new TestJob { Tag = "strict" }, Flow("kids-q", new TestJob()), Flow("kids-q", broken)), "flow-strict", TestContext.Current.CancellationToken);
        var lenient = await JobFlows.CreateAsync(c.Client, Flow("lenient-q", new TestJob { Tag = "lenient" }, Flow("kids-q", new TestJob()), Flow("kids-q", broken)) with { OnChildFailure = ChildFailurePolicy.Ignore }, "flow-lenient", TestContext.Current.CancellationToken);

        var failed = await c.WaitForState("strict-q", strict.JobId, JobState.Failed);
        var ran = await c.WaitForState("lenient-q", lenient.JobId, JobState.Completed);

        Assert.Equal(JobFailureReasons.ChildFailed, failed.FailureReason);
        Assert.Contains(strict.Children[1].JobId, failed.Error, StringComparison.Ordinal);
        Assert.Empty(c.Ledger.For(strict.JobId));   // never ran
        var run = Assert.Single(c.Ledger.For(ran.Id));
        Assert.Equal([JobState.Completed, JobState.Failed], run.Children.Select(o => o.State));
        Assert.Contains("poison payload", run.Children[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANestedFlow_RunsBottomUp_AndCreatingItAgainWithTheSameKey_ReturnsTheSameJobsRunningEachOnce()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await StartWorkers(c, "top-q", "mid-q", "leaf-q");
        var shape = Flow("top-q", new TestJob { Tag = "top" }, Flow("mid-q", new TestJob { Tag = "mid" }, Flow("leaf-q", new TestJob { Tag = "leaf1" }), Flow("leaf-q", new TestJob { Tag = "leaf2" })));

        var first = await JobFlows.CreateAsync(c.Client, shape, "flow-nested", TestContext.Current.CancellationToken);
        var again = await JobFlows.CreateAsync(c.Client, shape, "flow-nested", TestContext.Current.CancellationToken);

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(Ids(first), Ids(again));
        var top = await c.WaitForState("top-q", first.JobId, JobState.Completed);
        var mid = await c.Queue("mid-q").GetJob(first.Children[0].JobId);
        Assert.Equal(4, c.Ledger.Executions.Count);   // each of the four jobs once
        Assert.True(top.StartedAt >= mid!.FinishedAt, "the top ran after the middle job");
        Assert.Equal(2, Assert.Single(c.Ledger.For(mid.Id)).Children.Count);

        static string[] Ids(FlowJob job) => [job.JobId, .. job.Children.SelectMany(Ids)];
    }

    [Fact]
    public async Task BadInput_IsRefusedBeforeAnyJobIsCreated()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var badChild = Flow("ok-parent-q", new TestJob(), Flow("ok-kid-q", new TestJob()), Flow("ok-kid-q", new TestJob()) with { Job = new EnqueueRequest { Payload = "{}", Priority = 1000 } });
        var delayedParent = Flow("ok-parent-q", new TestJob(), Flow("ok-kid-q", new TestJob())) with { Job = new EnqueueRequest { Payload = "{}", Delay = TimeSpan.FromMinutes(1) } };
        var tooDeep = Enumerable.Range(0, JobFlow.MaxDepth).Aggregate(Flow("ok-kid-q", new TestJob()), (child, _) => Flow("ok-parent-q", new TestJob(), child));

        var priority = await Assert.ThrowsAsync<WorkersException>(() => JobFlows.CreateAsync(c.Client, badChild, "bad-1", TestContext.Current.CancellationToken));
        var delay = await Assert.ThrowsAsync<WorkersException>(() => JobFlows.CreateAsync(c.Client, delayedParent, "bad-2", TestContext.Current.CancellationToken));
        var depth = await Assert.ThrowsAsync<WorkersException>(() => JobFlows.CreateAsync(c.Client, tooDeep, "bad-3", TestContext.Current.CancellationToken));

        var longKey = await Assert.ThrowsAsync<WorkersException>(() => JobFlows.CreateAsync(c.Client, Flow("ok-parent-q", new TestJob(), Flow("ok-kid-q", new TestJob())), new string('k', JobFlows.MaxKeyLength + 1), TestContext.Current.CancellationToken));

        Assert.Equal((WorkersErrorCodes.InvalidPriority, WorkersErrorCodes.InvalidFlow, WorkersErrorCodes.InvalidFlow, WorkersErrorCodes.InvalidFlow), (priority.Code, delay.Code, depth.Code, longKey.Code));
        Assert.Equal(0, (await c.Queue("ok-parent-q").GetStats()).WaitingChildren);   // nothing was created
        Assert.Equal(0, (await c.Queue("ok-kid-q").GetStats()).Waiting);
    }

    [Fact]
    public async Task KilledSilo_HoldingTheParentsQueue_TheParentStillRunsOnce_AfterEveryChild()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3);
        await StartWorkers(c, "kill-parent-q", "kill-kids-q");
        var children = Enumerable.Range(0, 6).Select(i => Flow("kill-kids-q", new TestJob { Tag = $"kid{i}", SleepMs = 300 })).ToArray();
        var flow = await JobFlows.CreateAsync(c.Client, Flow("kill-parent-q", new TestJob { Tag = "parent" }, children), "flow-kill", TestContext.Current.CancellationToken);

        var host = await c.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(c.Queue("kill-parent-q"), TestContext.Current.CancellationToken);
        await c.Cluster.KillSiloAsync(c.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)), TestContext.Current.CancellationToken);

        var parent = await c.WaitForState("kill-parent-q", flow.JobId, JobState.Completed, TimeSpan.FromSeconds(90));
        var kids = new List<JobRecord>();
        foreach (var child in flow.Children)
        {
            kids.Add((await c.Queue("kill-kids-q").GetJob(child.JobId))!);
        }

        // Ledger: lost 0 (the parent and all six children completed); the parent ran once, after the last child finished, with
        // all six outcomes; children cut short on the dead silo ran again (at most its two slots).
        Assert.All(kids, k => Assert.Equal(JobState.Completed, k.State));
        var run = Assert.Single(c.Ledger.For(flow.JobId));
        Assert.Equal(6, run.Children.Count);
        Assert.True(parent.StartedAt >= kids.Max(k => k.FinishedAt), "the parent started after its last child finished");
        Assert.InRange(c.Ledger.Executions.Count(e => e.JobId != flow.JobId) - 6, 0, 2);
    }
}

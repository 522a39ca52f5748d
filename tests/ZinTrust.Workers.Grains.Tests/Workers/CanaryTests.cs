using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Canary deployments: a real traffic split by job id, steps to completion at 100 %, rollback on their own when the
/// canary fails, operators' pause / resume / rollback, and a canary that outlives its cluster.</summary>
public sealed class CanaryTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task TheSplit_SendsTheCanaryItsShareOfJobs_ByJobId()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2, workers: w => w.AddProcessor("echo-v2", _ => Task.FromResult<object?>("v2")));
        var worker = await c.StartWorker("split", "q-split", concurrency: 20, replicas: 2, processor: "echo", jobOptions: new JobOptions { RetainCompleted = 20_000 });
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "echo-v2" });

        // A canary that holds at 10 % (a long step) and judges nothing.
        var started = await c.Client.GetGrain<ICanaryGrain>("split").Start(
            new CanaryRequest { NewVersion = "2.0.0", TrafficPercentage = 10, Duration = TimeSpan.FromHours(1), AutoRollback = false }, "tester");
        Assert.Equal((CanaryState.Running, 10.0, "1.0.0"), (started.State, started.TrafficPercentage, started.StableVersion));

        const int Jobs = 10_000;
        var acks = new List<EnqueueResult>();
        for (int i = 0; i < Jobs; i += 1000)
        {
            acks.AddRange(await c.Queue("q-split").EnqueueBatch([.. Enumerable.Range(0, 1000).Select(n => new EnqueueRequest { Payload = "{}" })]));
        }

        await Eventually.True(async () => (await c.Queue("q-split").GetStats()).Counters.Completed >= Jobs, "every job completed", TimeSpan.FromSeconds(60));
        var versions = await Task.WhenAll(acks.Select(a => c.Queue("q-split").GetJob(a.JobId)));
        double share = versions.Count(j => j!.WorkerVersion == "2.0.0") / (double)Jobs;

        Assert.InRange(share, 0.085, 0.115);
        Assert.All(versions, j => Assert.Equal(j!.WorkerVersion == "2.0.0" ? "\"v2\"" : "{}", j.Result));
        var status = await worker.GetStatus();
        Assert.Contains(status.Replicas, r => r.ReplicaId == "split@canary/0" && r.Version == "2.0.0");
    }

    [Fact]
    public async Task AStuckCanary_WithThousandsOfJobsAhead_DoesNotStarveTheStableSide()
    {
        var release = new TaskCompletionSource();
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddProcessor("stuck-v2", async _ =>
        {
            await release.Task;
            return null;
        }));
        var worker = await c.StartWorker("stuck", "q-stuck", concurrency: 50, replicas: 2, processor: "echo");
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "stuck-v2", Concurrency = 1 });
        await c.Client.GetGrain<ICanaryGrain>("stuck").Start(new CanaryRequest { NewVersion = "2.0.0", TrafficPercentage = 10, AutoRollback = false }, null);

        // About 5,000 of these fall on the canary's side and wait at the head of the queue behind a processor that never returns.
        const int Jobs = 50_000;
        for (int i = 0; i < Jobs; i += 5000)
        {
            await c.Queue("q-stuck").EnqueueBatch([.. Enumerable.Range(0, 5000).Select(_ => new EnqueueRequest { Payload = "{}" })]);
        }

        var stats = await Eventually.Get(
            () => c.Queue("q-stuck").GetStats(),
            s => s.Counters.Completed >= Jobs * 0.85,   // the stable side's share is 90 % ± 0.5 %; with a scan cap it stalled near 74 %
            "the stable side's jobs all completed behind the canary's", TimeSpan.FromSeconds(90));
        Assert.True(stats.Waiting > 4096, $"the canary's backlog ({stats.Waiting}) was larger than any scan limit");
        release.SetResult();
    }

    [Fact]
    public async Task AFailingCanary_RollsBackOnItsOwn_AndEveryJobStillCompletesOnTheStableVersion()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddProcessor("broken-v2", async _ =>
        {
            await Task.Delay(20, CancellationToken.None);
            throw new InvalidOperationException("v2 is broken");
        }));
        var worker = await c.StartWorker("bad-canary", "q-bad-canary", concurrency: 10, replicas: 1,
            jobOptions: new JobOptions { Attempts = 50, Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.Zero } });
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "broken-v2" });
        var canary = c.Client.GetGrain<ICanaryGrain>("bad-canary");
        await canary.Start(new CanaryRequest { NewVersion = "2.0.0", Steps = [50, 100], Duration = TimeSpan.FromHours(1), MinimumSamples = 10, EvaluationInterval = Quick }, null);

        var acks = await c.Queue("q-bad-canary").EnqueueBatch([.. Enumerable.Range(0, 200).Select(_ => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob()) })]);
        var ended = await Eventually.Get(() => canary.GetStatus(), s => s!.State == CanaryState.RolledBack, "the canary rolled itself back", TimeSpan.FromSeconds(30));

        Assert.Equal(0, ended!.TrafficPercentage);
        Assert.Equal("rolledBack", ended.Decisions[^1].Action);
        Assert.Null(ended.Decisions[^1].By);
        Assert.Matches("health|error rate", ended.Decisions[^1].Reason);
        Assert.True(ended.Canary.Failed >= 10, $"judged on its failures ({ended.Canary.Failed})");
        foreach (var ack in acks)
        {
            Assert.Equal("1.0.0", (await c.WaitForState("q-bad-canary", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(30))).WorkerVersion);
        }

        Assert.Equal("1.0.0", (await worker.ListVersions()).Active);
        await Eventually.True(async () => !(await worker.GetStatus()).Replicas.Any(r => r.Version == "2.0.0"), "the canary's replicas stopped");
    }

    [Fact]
    public async Task AHealthyCanary_StepsUpAndCompletesAt100_MakingItsVersionTheActiveOne()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2, workers: w => w.AddProcessor("echo-v3", _ => Task.FromResult<object?>("v3")));
        var worker = await c.StartWorker("good-canary", "q-good-canary", concurrency: 5, replicas: 2, processor: "echo");
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "3.0.0", Processor = "echo-v3" });
        var canary = c.Client.GetGrain<ICanaryGrain>("good-canary");
        await canary.Start(new CanaryRequest { NewVersion = "3.0.0", Steps = [20, 60, 100], Duration = TimeSpan.FromSeconds(3), EvaluationInterval = Quick }, "tester");

        using var feeding = new CancellationTokenSource();
        var feeder = Task.Run(async () =>
        {
            while (!feeding.IsCancellationRequested)
            {
                await c.Queue("q-good-canary").EnqueueBatch([.. Enumerable.Range(0, 20).Select(_ => new EnqueueRequest { Payload = "{}" })]);
                await Task.Delay(50, CancellationToken.None);
            }
        }, TestContext.Current.CancellationToken);
        var done = await Eventually.Get(() => canary.GetStatus(), s => s!.State == CanaryState.Completed, "the canary completed", TimeSpan.FromSeconds(60));
        await feeding.CancelAsync();
        await feeder;

        Assert.Equal(["started", "step", "completed"], done!.Decisions.Select(d => d.Action));
        Assert.Equal([(0.0, 20.0), (20.0, 60.0), (60.0, 100.0)], done.Decisions.Select(d => (d.FromPercent, d.ToPercent)));
        Assert.True(done.Canary.Completed > 0 && done.Canary.Failed == 0, $"the canary ran jobs ({done.Canary.Completed})");
        Assert.Equal("3.0.0", (await worker.ListVersions()).Active);
        var status = await worker.GetStatus();
        Assert.All(status.Replicas, r => Assert.Equal("3.0.0", r.Version));
        Assert.DoesNotContain(status.Replicas, r => r.ReplicaId.Contains('@', StringComparison.Ordinal));
        var after = await c.Enqueue("q-good-canary", new TestJob());
        Assert.Equal("3.0.0", (await c.WaitForState("q-good-canary", after.JobId, JobState.Completed)).WorkerVersion);
    }

    [Fact]
    public async Task Operators_PauseResumeAndRollBack_AndBadRequestsGetStableCodes()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddProcessor("echo-v2", _ => Task.FromResult<object?>("v2")));
        var worker = await c.StartWorker("op-canary", "q-op-canary", processor: "echo");
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "echo-v2" });
        var canary = c.Client.GetGrain<ICanaryGrain>("op-canary");

        Assert.Null(await canary.GetStatus());
        Assert.Equal(WorkersErrorCodes.CanaryNotFound, (await Assert.ThrowsAsync<WorkersException>(() => canary.Pause("ops"))).Code);
        Assert.Equal(WorkersErrorCodes.VersionNotFound, (await Assert.ThrowsAsync<WorkersException>(() => canary.Start(new CanaryRequest { NewVersion = "9.0.0" }, "ops"))).Code);
        Assert.Equal(WorkersErrorCodes.InvalidCanary, (await Assert.ThrowsAsync<WorkersException>(() => canary.Start(new CanaryRequest { NewVersion = "1.0.0" }, "ops"))).Code);
        Assert.Equal(WorkersErrorCodes.InvalidCanary, (await Assert.ThrowsAsync<WorkersException>(() => canary.Start(new CanaryRequest { NewVersion = "2.0.0", Steps = [50, 20, 100] }, "ops"))).Code);
        Assert.Equal(WorkersErrorCodes.InvalidCanary, (await Assert.ThrowsAsync<WorkersException>(() => canary.Start(new CanaryRequest { NewVersion = "2.0.0", Steps = [10, 50] }, "ops"))).Code);
        Assert.Equal(WorkersErrorCodes.InvalidCanary, (await Assert.ThrowsAsync<WorkersException>(() => canary.Start(new CanaryRequest { NewVersion = "2.0.0", TrafficPercentage = 0 }, "ops"))).Code);

        var started = await canary.Start(new CanaryRequest { NewVersion = "2.0.0", Duration = TimeSpan.FromHours(1) }, "ops");
        Assert.Equal([10.0, 25, 50, 100], started.Steps);
        Assert.Equal(WorkersErrorCodes.CanaryActive, (await Assert.ThrowsAsync<WorkersException>(() => canary.Start(new CanaryRequest { NewVersion = "2.0.0" }, "ops"))).Code);

        var paused = await canary.Pause("ops");
        Assert.Equal((CanaryState.Paused, (DateTimeOffset?)null), (paused.State, paused.NextStepAt));
        var resumed = await canary.Resume("ops");
        Assert.Equal(CanaryState.Running, resumed.State);
        Assert.NotNull(resumed.NextStepAt);

        var rolled = await canary.Rollback("ops");
        Assert.Equal(CanaryState.RolledBack, rolled.State);
        Assert.Equal(["started", "paused", "resumed", "rolledBack"], rolled.Decisions.Select(d => d.Action));
        Assert.All(rolled.Decisions, d => Assert.Equal("ops", d.By));
        Assert.Equal(WorkersErrorCodes.CanaryNotRunning, (await Assert.ThrowsAsync<WorkersException>(() => canary.Resume("ops"))).Code);
        await Eventually.True(async () => (await worker.GetStatus()).Replicas.All(r => r.Version == "1.0.0"), "only stable replicas run");

        // After a rollback a new canary may start.
        Assert.Equal(CanaryState.Running, (await canary.Start(new CanaryRequest { NewVersion = "2.0.0", Duration = TimeSpan.FromHours(1) }, "ops")).State);
    }

    [Fact]
    public async Task ACanary_OutlivesTheSiloRunningIt_ItsReminderBringsItBackToFinish()
    {
        await using var c = await WorkersCluster.StartAsync(
            silos: 3,
            configure: o => o.SupervisionReminderPeriod = TimeSpan.FromSeconds(1),
            workers: w => w.AddProcessor("echo-v2", _ => Task.FromResult<object?>("v2")));
        var worker = await c.StartWorker("orphan-canary", "q-orphan-canary", processor: "echo");
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "echo-v2" });
        var canary = c.Client.GetGrain<ICanaryGrain>("orphan-canary");
        var started = await canary.Start(new CanaryRequest { NewVersion = "2.0.0", Steps = [10, 50, 100], Duration = TimeSpan.FromSeconds(4), EvaluationInterval = Quick }, "ops");
        var host = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == started.Silo);

        await c.Cluster.KillSiloAsync(host, TestContext.Current.CancellationToken);

        // Nobody calls the canary now: only its reminder can re-activate it elsewhere, and only it can make 2.0.0 active. Its
        // status reads while it works (the worker shows 2.0.0 active while the canary still rolls the stable replicas to it).
        var done = await Eventually.Get(() => canary.GetStatus(), s => s?.State == CanaryState.Completed, "the canary completed after losing its silo", TimeSpan.FromSeconds(60));
        Assert.Equal("2.0.0", (await worker.ListVersions()).Active);
        Assert.NotEqual(started.Silo, done!.Silo);
    }

    [Fact]
    public async Task ACanary_SurvivesAFullRestartOfTheCluster_ResumingAtItsStep()
    {
        var store = new RecordingJobStore();
        var state = new InProcessStateStore();
        var reminders = new InProcessReminderTable();
        static void Processors(WorkersBuilder w) => w.AddProcessor("echo-v2", _ => Task.FromResult<object?>("v2"));
        await using (var first = await WorkersCluster.StartAsync(silos: 1, workers: Processors, store: store, state: state, reminders: reminders))
        {
            var worker = await first.StartWorker("durable-canary", "q-durable-canary", processor: "echo");
            await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "echo-v2" });
            var canary = first.Client.GetGrain<ICanaryGrain>("durable-canary");
            await canary.Start(new CanaryRequest { NewVersion = "2.0.0", Steps = [10, 30, 100], Duration = TimeSpan.FromSeconds(6), EvaluationInterval = Quick }, "ops");
            await Eventually.Get(() => canary.GetStatus(), s => s!.Step == 1, "the canary took its second step", TimeSpan.FromSeconds(20));
        }

        // A new cluster on the same storage: the reminder wakes the canary, which carries on from its step to completion.
        await using var second = await WorkersCluster.StartAsync(silos: 1, workers: Processors, store: store, state: state, reminders: reminders);
        var resumed = second.Client.GetGrain<ICanaryGrain>("durable-canary");
        var before = await resumed.GetStatus();
        Assert.True(before!.Step >= 1, $"resumed at step {before.Step}, not from the start");
        Assert.Equal(CanaryState.Running, before.State);
        await resumed.Evaluate();   // the reminder's first tick may be a minute away; the timer armed on activation does the rest
        var done = await Eventually.Get(() => resumed.GetStatus(), s => s!.State == CanaryState.Completed, "the canary completed after the restart", TimeSpan.FromSeconds(60));
        Assert.Equal("2.0.0", (await second.Worker("durable-canary").ListVersions()).Active);
        Assert.Equal(1, done!.Decisions.Count(d => d.Action == "started"));
    }
}

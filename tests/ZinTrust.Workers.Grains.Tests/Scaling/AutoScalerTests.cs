using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The auto-scaler's rules, and its decisions applied to a real cluster under a fake clock.</summary>
public sealed class AutoScalerTests
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AutoScalingOptions Bounds = new() { MinReplicas = 1, MaxReplicas = 4, ScaleUpThreshold = 20, ScaleDownThreshold = 5, Cooldown = TimeSpan.FromSeconds(60) };

    private static (int, string) Decide(int current, int waiting, double throughput = 0, double cpu = 10, DateTimeOffset? lastChange = null, bool offPeak = false) =>
        ScalingRules.Decide(new ScalingInputs(current, Bounds, waiting, throughput, cpu, 90, Noon, lastChange, TimeSpan.FromSeconds(30), offPeak, 0.75));

    [Fact]
    public void Rules_ScaleUpUnderBacklog_DownWhenIdle_AndHoldWithinBoundsAndCooldown()
    {
        Assert.Equal(2, Decide(1, waiting: 100).Item1);                                  // +max(1, ⌈1/2⌉)
        Assert.Equal(3, Decide(2, waiting: 100).Item1);                                  // +⌈2/2⌉
        Assert.Equal(4, Decide(3, waiting: 100).Item1);                                  // capped at max
        Assert.Contains("already at the maximum 4", Decide(4, waiting: 100).Item2, StringComparison.Ordinal);
        Assert.Equal(2, Decide(3, waiting: 1).Item1);                                    // one step down
        Assert.Equal((1, "within the thresholds"), Decide(1, waiting: 0));                // not below min
        Assert.Equal((2, "within the thresholds"), Decide(2, waiting: 10));
        Assert.Contains("cooldown until", Decide(1, waiting: 100, lastChange: Noon.AddSeconds(-59)).Item2, StringComparison.Ordinal);
        Assert.Equal(2, Decide(1, waiting: 100, lastChange: Noon.AddSeconds(-60)).Item1);
    }

    [Fact]
    public void Rules_ConsiderThroughputAndCpu_AndOffPeakCapsReplicas()
    {
        var drains = Decide(2, waiting: 100, throughput: 10);                           // 10 s to drain < 30 s interval
        Assert.Equal(2, drains.Item1);
        Assert.Contains("drains in 10 s", drains.Item2, StringComparison.Ordinal);
        Assert.Equal(3, Decide(2, waiting: 100, throughput: 1).Item1);                  // 100 s to drain: scale
        Assert.Contains("at the ceiling", Decide(2, waiting: 100, cpu: 95).Item2, StringComparison.Ordinal);
        Assert.Equal(1, Decide(3, waiting: 100, offPeak: true).Item1);                  // cap: max(1, ⌈4 × 0.25⌉) = 1
        Assert.Contains("already at the off-peak cap 1", Decide(1, waiting: 100, offPeak: true).Item2, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("22:00-06:00", "23:30", true)]
    [InlineData("22:00-06:00", "05:59", true)]
    [InlineData("22:00-06:00", "06:00", false)]
    [InlineData("22:00-06:00", "12:00", false)]
    [InlineData("01:00-03:00", "02:00", true)]
    [InlineData("01:00-03:00", "00:59", false)]
    public void OffPeakWindows_MayWrapMidnight(string schedule, string at, bool inside)
    {
        Assert.True(ScalingRules.TryParseWindow(schedule, out var start, out var end));
        var time = TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(inside, ScalingRules.InWindow(new DateTimeOffset(new DateOnly(2026, 1, 1), time, TimeSpan.Zero), start, end));
    }

    [Theory]
    [InlineData("22:00")]
    [InlineData("25:00-06:00")]
    [InlineData("06:00-06:00")]
    [InlineData("six-ten")]
    public void BadOffPeakSchedules_AreRejected(string schedule) => Assert.False(ScalingRules.TryParseWindow(schedule, out _, out _));

    private static Task<WorkersCluster> Cluster(Action<WorkersOptions>? more = null) =>
        WorkersCluster.StartAsync(silos: 2, fakeClock: true, configure: o =>
        {
            o.AutoScalingEnabled = true;
            o.AutoScalingInterval = TimeSpan.FromSeconds(30);
            o.AutoScalingCpuCeiling = 100;
            more?.Invoke(o);
        });

    private static async Task<IWorkerGrain> StartScaled(WorkersCluster c, string name, string queue)
    {
        var worker = c.Worker(name);
        await worker.Create(new WorkerDefinition
        {
            Name = name,
            QueueName = queue,
            Processor = "test",
            Concurrency = 2,
            Features = new Dictionary<string, bool> { ["autoScaling"] = true },
            AutoScaling = Bounds,
        });
        await worker.Start();
        return worker;
    }

    private static Task RunningReplicas(IWorkerGrain worker, int count) =>
        Eventually.True(
            async () => (await worker.GetStatus()).Replicas is var r && r.Count == count && r.All(x => x.State == ReplicaState.Running),
            $"{count} running replicas");

    /// <summary>Evaluations driven by the test alone: the timer's interval is longer than any test.</summary>
    private static Task<WorkersCluster> ManualCluster() => Cluster(o => o.AutoScalingInterval = TimeSpan.FromDays(1));

    [Fact]
    public async Task Backlog_ScalesUp_CooldownHolds_AndIdleScalesBackDown_WithRealReplicas()
    {
        await using var c = await ManualCluster();
        var scaler = c.Client.GetGrain<IAutoScalerGrain>(0);
        var worker = await StartScaled(c, "as-load", "q-as-load");
        await c.Queue("q-as-load").Pause();
        var jobs = new List<string>();
        for (int i = 0; i < 60; i++)
        {
            jobs.Add((await c.Enqueue("q-as-load", new TestJob())).JobId);
        }

        var up = Assert.Single(await scaler.Evaluate());
        Assert.Equal((1, 2, true), (up.From, up.To, up.Applied));
        Assert.Equal(60, up.Waiting);
        Assert.Equal(2, (await worker.Get())!.Definition.Replicas);
        await RunningReplicas(worker, 2);

        c.Clock!.Advance(TimeSpan.FromSeconds(30));
        var held = Assert.Single(await scaler.Evaluate());
        Assert.False(held.Applied);
        Assert.StartsWith("cooldown until", held.Reason, StringComparison.Ordinal);

        c.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(3, Assert.Single(await scaler.Evaluate()).To);
        await RunningReplicas(worker, 3);

        await c.Queue("q-as-load").Resume();
        foreach (var id in jobs)
        {
            await c.WaitForState("q-as-load", id, JobState.Completed);
        }

        c.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal((3, 2), Assert.Single(await scaler.Evaluate()) is var d1 ? (d1.From, d1.To) : default);
        c.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal((2, 1), Assert.Single(await scaler.Evaluate()) is var d2 ? (d2.From, d2.To) : default);
        await RunningReplicas(worker, 1);
        c.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("within the thresholds", Assert.Single(await scaler.Evaluate()).Reason);

        var history = await scaler.GetScaling("as-load");
        Assert.Equal([2, 2, 3, 2, 1, 1], history.Decisions.Select(d => d.To));
    }

    [Fact]
    public async Task TheTimerEvaluates_AndOffPeakCapsTheReplicas()
    {
        // The fake clock starts at midnight UTC: inside 23:00-01:00.
        await using var c = await Cluster(o =>
        {
            o.OffPeakScaling = true;
            o.OffPeakSchedule = "23:00-01:00";
            o.OffPeakReduction = 0.75;
        });
        var scaler = c.Client.GetGrain<IAutoScalerGrain>(0);
        var worker = await StartScaled(c, "as-night", "q-as-night");
        await worker.Update(new WorkerUpdate { Replicas = 3 });
        await c.Queue("q-as-night").Pause();
        for (int i = 0; i < 60; i++)
        {
            await c.Enqueue("q-as-night", new TestJob());
        }

        Assert.True((await scaler.Ensure()).OffPeakNow);
        c.Clock!.Advance(TimeSpan.FromSeconds(30));

        var decision = await Eventually.Get(
            async () => (await scaler.GetScaling("as-night")).Decisions is { Count: > 0 } list ? list[^1] : null!,
            d => d is not null,
            "the timer ran an evaluation");
        Assert.Equal((3, 1, true), (decision.From, decision.To, decision.Applied));
        Assert.Equal("above the off-peak cap 1", decision.Reason);
        await RunningReplicas(worker, 1);
    }

    [Fact]
    public async Task AManualScale_HoldsTheAutoScalerOff_UntilItsHoldEnds()
    {
        await using var c = await ManualCluster();
        var scaler = c.Client.GetGrain<IAutoScalerGrain>(0);
        var worker = await StartScaled(c, "as-manual", "q-as-manual");

        var manual = await scaler.ScaleManually("as-manual", 3, TimeSpan.FromMinutes(10));
        Assert.Equal(("manual", 3, true), (manual.Source, manual.To, manual.Applied));
        await RunningReplicas(worker, 3);

        c.Clock!.Advance(TimeSpan.FromMinutes(5));
        var held = Assert.Single(await scaler.Evaluate());
        Assert.StartsWith("manual override until", held.Reason, StringComparison.Ordinal);
        Assert.Equal(3, (await worker.Get())!.Definition.Replicas);

        c.Clock.Advance(TimeSpan.FromMinutes(5));
        var after = Assert.Single(await scaler.Evaluate());
        Assert.Equal((3, 2, true), (after.From, after.To, after.Applied));   // idle: one step down once the hold ends

        var error = await Assert.ThrowsAsync<WorkersException>(() => scaler.ScaleManually("as-manual", 0, TimeSpan.Zero));
        Assert.Equal(WorkersErrorCodes.InvalidConcurrency, error.Code);
        Assert.Equal(WorkersErrorCodes.WorkerNotFound, (await Assert.ThrowsAsync<WorkersException>(() => scaler.ScaleManually("as-nobody", 2, TimeSpan.Zero))).Code);
    }

    [Fact]
    public async Task TheReminder_BringsTheAutoScalerBack_AfterTheSiloRunningItStops()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3, configure: o =>
        {
            o.AutoScalingEnabled = true;
            o.AutoScalingInterval = TimeSpan.FromSeconds(1);
            o.AutoScalingReminderPeriod = TimeSpan.FromSeconds(1);
            o.AutoScalingCpuCeiling = 100;
        });
        var scaler = c.Client.GetGrain<IAutoScalerGrain>(0);
        await StartScaled(c, "as-reminder", "q-as-reminder");
        var before = await Eventually.Get(scaler.GetStatus, s => s.Evaluations > 0, "the scaler evaluates");
        var host = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Host);

        await c.Cluster.StopSiloAsync(host, TestContext.Current.CancellationToken);
        int evaluations = c.Calls["Evaluate"];

        // Nobody calls the scaler now: only its reminder can re-activate it elsewhere and re-arm its timer.
        await Eventually.True(() => c.Calls["Evaluate"] >= evaluations + 3, "evaluations resume without any call to the scaler", TimeSpan.FromSeconds(45));
        var after = await scaler.GetStatus();
        Assert.NotEqual(before.Host, after.Host);
        Assert.NotEmpty((await scaler.GetScaling("as-reminder")).Decisions);
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The health score's formula, part by part, and the worker's use of it.</summary>
public sealed class HealthScoreTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(10, 0, 100, 100, true, CircuitState.Closed, 0, 100, WorkerHealthState.Healthy)]   // all well
    [InlineData(0, 0, 0, null, null, CircuitState.Closed, 0, 100, WorkerHealthState.Healthy)]      // idle, no check
    [InlineData(0, 10, 100, 100, true, CircuitState.Closed, 0, 60, WorkerHealthState.Degraded)]   // every run failed
    [InlineData(10, 0, 100, 100, false, CircuitState.Closed, 0, 75, WorkerHealthState.Degraded)]  // the check fails
    [InlineData(0, 10, 100, 100, false, CircuitState.Closed, 0, 35, WorkerHealthState.Critical)]  // both
    [InlineData(5, 5, 100, 100, true, CircuitState.HalfOpen, 0, 75, WorkerHealthState.Degraded)]  // 50 % and half-open
    [InlineData(10, 0, 400, 100, true, CircuitState.Closed, 0, 85, WorkerHealthState.Healthy)]    // 4x the baseline: latency 0
    [InlineData(10, 0, 275, 100, true, CircuitState.Closed, 0, 93, WorkerHealthState.Healthy)]    // 2.75x: latency 50
    [InlineData(10, 0, 150, 100, true, CircuitState.Closed, 0, 100, WorkerHealthState.Healthy)]   // 1.5x: still 100
    [InlineData(10, 0, 100, 100, true, CircuitState.Open, 2, 85, WorkerHealthState.Healthy)]      // open: 0; 2 stalls: 50
    [InlineData(0, 10, 100, 100, true, CircuitState.Open, 9, 40, WorkerHealthState.Critical)]     // stalls floor at 0
    public void Score_WeighsItsParts(long completed, long failed, int avgMs, int? baselineMs, bool? check, CircuitState circuit, long stalls, int expected, WorkerHealthState state)
    {
        var inputs = new HealthInputs(completed, failed, TimeSpan.FromMilliseconds(avgMs), baselineMs is { } b ? TimeSpan.FromMilliseconds(b) : null, check, circuit, stalls);

        var score = HealthScore.Compute(inputs, At);

        Assert.Equal((expected, state), (score.Score, score.State));
        Assert.Equal(completed + failed, score.Runs);
    }

    [Fact]
    public void Baseline_IsAMovingAverage_ThatIdleWindowsLeaveAlone()
    {
        var first = HealthScore.NextBaseline(null, 10, TimeSpan.FromMilliseconds(100));
        var idle = HealthScore.NextBaseline(first, 0, TimeSpan.Zero);
        var slower = HealthScore.NextBaseline(idle, 10, TimeSpan.FromMilliseconds(200));

        Assert.Equal(TimeSpan.FromMilliseconds(100), first);
        Assert.Equal(first, idle);
        Assert.Equal(TimeSpan.FromMilliseconds(120), slower);   // 0.8 × 100 + 0.2 × 200
    }

    private static async Task<WorkersCluster> Cluster(Switch healthy) =>
        await WorkersCluster.StartAsync(silos: 1, workers: w => w
            .AddHealthCheck("hs-fall", _ => Task.FromResult(new HealthCheckOutcome(healthy.On, healthy.On ? null : "down")))
            .AddHealthCheck("hs-restart", _ => Task.FromResult(new HealthCheckOutcome(healthy.On, healthy.On ? null : "down")))
            .AddHealthCheck("hs-quiet", _ => Task.FromResult(new HealthCheckOutcome(healthy.On, healthy.On ? null : "down"))));

    private static Task<WorkerMonitoringSample> Sample(IWorkerGrain worker, Func<WorkerMonitoringSample, bool> match, string what) =>
        Eventually.Get(
            async () => (await worker.GetMonitoringHistory(null, null, 1440)).LastOrDefault(s => s.Health is not null && match(s))!,
            s => s is not null,
            what,
            TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Score_FallsWithFailures_AndRecovers()
    {
        var healthy = new Switch { On = false };
        await using var c = await Cluster(healthy);
        var worker = await c.StartWorker("hs-fall", "q-hs-fall", concurrency: 2);
        for (int i = 0; i < 6; i++)
        {
            await c.Enqueue("q-hs-fall", new TestJob { FailTimes = 1 }, attempts: 1);
        }

        var low = await Sample(worker, s => s.Health!.State == WorkerHealthState.Critical && s.Health.Runs > 0, "a critical sample after failures with a failing check");
        Assert.Equal((0, 0), (low.Health!.SuccessPart, low.Health.CheckPart));

        healthy.On = true;
        await Eventually.True(async () => (await worker.Get())!.Health.Healthy == true, "the health check passes again");
        for (int i = 0; i < 6; i++)
        {
            await c.Enqueue("q-hs-fall", new TestJob(), attempts: 1);
        }

        var recovered = await Sample(worker, s => s.At > low.At && s.Health!.Score >= 80 && s.Health.Runs > 0 && s.Health.CheckPart == 100, "a healthy sample once jobs succeed and the check passes");
        Assert.Equal(WorkerHealthState.Healthy, recovered.Health!.State);
        Assert.NotNull(await worker.GetHealthScore());
    }

    [Fact]
    public async Task CriticalHealth_RestartsOnlyWhenThePolicySaysSo_AndNoMoreThanItsLimit()
    {
        var healthy = new Switch { On = false };
        await using var c = await Cluster(healthy);
        var worker = c.Worker("hs-restart");
        await worker.Create(new WorkerDefinition
        {
            Name = "hs-restart",
            QueueName = "q-hs-restart",
            Processor = "test",
            Concurrency = 1,
            HealthPolicy = new WorkerHealthPolicy { RestartWhenCritical = true, CriticalSamples = 2, MaxRestarts = 1 },
        });
        var generation = (await worker.Start()).Generation;
        for (int i = 0; i < 400; i++)
        {
            await c.Enqueue("q-hs-restart", new TestJob { FailTimes = 1, SleepMs = 40 }, attempts: 1);
        }

        await Eventually.True(async () => (await worker.Get())!.Generation == generation + 1, "one restart by the health policy", TimeSpan.FromSeconds(30));
        var restartedAt = DateTimeOffset.UtcNow;

        // Still critical after the restart: the policy's one restart per hour is used up.
        await Eventually.True(
            async () => (await worker.GetMonitoringHistory(restartedAt, null, 1440)).Count(s => s.Health?.State == WorkerHealthState.Critical) >= 4,
            "four more critical samples",
            TimeSpan.FromSeconds(30));
        Assert.Equal(generation + 1, (await worker.Get())!.Generation);
        Assert.Equal(WorkerStatus.Running, (await worker.Get())!.Status);
    }

    [Fact]
    public async Task StoppedMonitoring_TakesNoSamples_AndItsPolicyRestartsNothing_UntilMonitoringStarts()
    {
        var healthy = new Switch { On = false };
        await using var c = await Cluster(healthy);
        var worker = c.Worker("hs-quiet");
        await worker.Create(new WorkerDefinition
        {
            Name = "hs-quiet",
            QueueName = "q-hs-quiet",
            Processor = "test",
            Concurrency = 1,
            HealthPolicy = new WorkerHealthPolicy { RestartWhenCritical = true, CriticalSamples = 2, MaxRestarts = 1 },
        });
        Assert.True((await worker.SetMonitoring(false)).MonitoringStopped);
        var generation = (await worker.Start()).Generation;
        for (int i = 0; i < 400; i++)
        {
            await c.Enqueue("q-hs-quiet", new TestJob { FailTimes = 1, SleepMs = 40 }, attempts: 1);
        }

        // Failing jobs and a failing check would make every sample critical and the policy restart within two intervals (1 s
        // here); with monitoring stopped, four intervals pass without a sample, a score or a restart.
        await Eventually.True(async () => (await worker.Get())!.Health.Healthy == false, "the failing health check reported");
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        Assert.Empty(await worker.GetMonitoringHistory(null, null, 1440));
        Assert.Null(await worker.GetHealthScore());
        Assert.Equal(generation, (await worker.Get())!.Generation);

        Assert.False((await worker.SetMonitoring(true)).MonitoringStopped);
        await Sample(worker, s => s.Health!.State == WorkerHealthState.Critical, "a critical sample once monitoring started");
        await Eventually.True(async () => (await worker.Get())!.Generation == generation + 1, "the health policy's restart once monitoring started", TimeSpan.FromSeconds(30));
    }

    private sealed class Switch
    {
        public volatile bool On;
    }
}

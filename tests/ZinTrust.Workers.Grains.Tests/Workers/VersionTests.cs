using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Versions: registered without running, activated by a rolling update under load (ledger: nothing lost, nothing run
/// twice, never fewer than replicas − 1 running), rolled back by activating an older one or on their own when a new replica
/// fails to start; the compatibility checks; each job records the version that ran it.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task ARollingUpdateUnderLoad_MovesReplicasOneAtATime_LosingNothing_RunningNothingTwice_ThenRollsBack()
    {
        ExecutionLedger? ledger = null;
        await using var c = await WorkersCluster.StartAsync(silos: 2, workers: w => w.AddProcessor("test-v2", ctx => ledger!.RunAsync(ctx, "v2")));
        ledger = c.Ledger;
        var worker = await c.StartWorker("rolling", "q-rolling", concurrency: 4, replicas: 3, drain: TimeSpan.FromSeconds(20));
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Description = "the new one", Processor = "test-v2" });
        Assert.Equal("1.0.0", (await worker.Get())!.Definition.Version);   // registered, not running

        // Jobs flow before, during and after the roll.
        var first = await c.Queue("q-rolling").EnqueueBatch([.. Jobs(150, "before")]);
        var minimumRunning = int.MaxValue;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var status = await worker.GetStatus();
                minimumRunning = Math.Min(minimumRunning, status.Replicas.Count(r => r.State == ReplicaState.Running));
                await Task.Delay(5, CancellationToken.None);
            }
        }, TestContext.Current.CancellationToken);
        await Eventually.True(() => c.Ledger.Executions.Count > 10, "jobs run before the roll");
        var activated = await worker.ActivateVersion("2.0.0");
        var second = await c.Queue("q-rolling").EnqueueBatch([.. Jobs(150, "after")]);
        await watching.CancelAsync();
        await watcher;

        var all = first.Concat(second).ToList();
        foreach (var ack in all)
        {
            await c.WaitForState("q-rolling", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(60));
        }

        // The ledger: every job ran exactly once (a graceful roll drains; nothing is cut short and run again).
        var runs = all.Select(a => c.Ledger.StartsOf(a.JobId)).ToList();
        Assert.Equal(0, runs.Count(n => n == 0));
        Assert.Equal(0, runs.Count(n => n > 1));
        Assert.True(minimumRunning >= 2, $"never fewer than replicas - 1 running during the roll (saw {minimumRunning})");

        Assert.Equal("2.0.0", activated.Definition.Version);
        var versions = await worker.ListVersions();
        Assert.Equal("2.0.0", versions.Active);
        Assert.Equal(["1.0.0", "2.0.0"], versions.Versions.Select(v => v.Version));
        Assert.Equal(RolloutState.Completed, versions.Rollout!.State);
        Assert.Equal((3, "1.0.0", "2.0.0"), (versions.Rollout.Replaced, versions.Rollout.From, versions.Rollout.To));
        var status = await worker.GetStatus();
        Assert.All(status.Replicas, r => Assert.Equal("2.0.0", r.Version));

        // Each job records the version that ran it: jobs sent after the roll ran on 2.0.0 (processor test-v2).
        foreach (var ack in second)
        {
            var job = await c.Queue("q-rolling").GetJob(ack.JobId);
            Assert.Equal("2.0.0", job!.WorkerVersion);
            Assert.Equal("v2", c.Ledger.For(ack.JobId).Single().Silo);
        }

        var firstVersions = await Task.WhenAll(first.Select(a => c.Queue("q-rolling").GetJob(a.JobId)));
        Assert.Contains(firstVersions, j => j!.WorkerVersion == "1.0.0");

        // The rollback is activating the older version: the same roll, recorded as such.
        await worker.ActivateVersion("1.0.0");
        var back = await c.Queue("q-rolling").EnqueueBatch([.. Jobs(20, "back")]);
        foreach (var ack in back)
        {
            Assert.Equal("1.0.0", (await c.WaitForState("q-rolling", ack.JobId, JobState.Completed)).WorkerVersion);
        }

        Assert.Equal("rolled back", (await worker.GetVersions())[^1].Reason);
        Assert.Equal(("2.0.0", "1.0.0"), ((await worker.ListVersions()).Rollout!.From, (await worker.ListVersions()).Rollout!.To));
    }

    [Fact]
    public async Task ANewReplicaThatFailsToStart_StopsTheRoll_AndPutsEveryReplicaBackOnTheOldVersion()
    {
        var flaky = new FlakyResolver();
        await using var c = await WorkersCluster.StartAsync(silos: 2, workers: w => w.AddProcessorResolver(flaky));
        var worker = await c.StartWorker("roll-fails", "q-roll-fails", concurrency: 2, replicas: 2, drain: TimeSpan.FromSeconds(10));
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "1.1.0", Processor = "flaky" });

        // Both silos can run it when asked; the second replica's silo no longer can when it starts.
        flaky.ResolvesLeft = 3;
        var error = await Assert.ThrowsAsync<WorkersException>(() => worker.ActivateVersion("1.1.0"));

        Assert.Equal(WorkersErrorCodes.VersionRolloutFailed, error.Code);
        var versions = await worker.ListVersions();
        Assert.Equal("1.0.0", versions.Active);
        Assert.Equal(RolloutState.RolledBack, versions.Rollout!.State);
        Assert.Contains("1.1.0", versions.Rollout.Reason, StringComparison.Ordinal);
        Assert.Contains(WorkersErrorCodes.ProcessorNotFound, versions.Rollout.Reason, StringComparison.Ordinal);
        var status = await worker.GetStatus();
        Assert.Equal(WorkerStatus.Running, status.Worker.Status);
        Assert.All(status.Replicas, r => Assert.Equal(("1.0.0", ReplicaState.Running), (r.Version, r.State)));

        // The worker keeps working on the old version.
        var ack = await c.Enqueue("q-roll-fails", new TestJob { Tag = "after-failed-roll" });
        Assert.Equal("1.0.0", (await c.WaitForState("q-roll-fails", ack.JobId, JobState.Completed)).WorkerVersion);
    }

    [Fact]
    public async Task Activation_IsCheckedFirst_UnknownVersion_ProcessorMissingOnASilo_DuplicateOrInvalidRegistration()
    {
        var partial = new OneSiloResolver();
        int configured = 0;
        await using var c = await WorkersCluster.StartAsync(
            silos: 2,
            workers: w => w.AddProcessorResolver(partial),
            silo: (_, silo) =>
            {
                if (Interlocked.Increment(ref configured) == 1)
                {
                    silo.Services.AddSingleton<OneSiloResolver.Here>();   // the first silo only
                }
            });
        var worker = await c.StartWorker("roll-checks", "q-roll-checks", replicas: 2);

        var unknown = await Assert.ThrowsAsync<WorkersException>(() => worker.ActivateVersion("9.9.9"));
        Assert.Equal(WorkersErrorCodes.VersionNotFound, unknown.Code);

        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "one-silo-only" });
        var missing = await Assert.ThrowsAsync<WorkersException>(() => worker.ActivateVersion("2.0.0"));
        Assert.Equal(WorkersErrorCodes.ProcessorNotOnEverySilo, missing.Code);
        Assert.Contains("1 of 2", missing.Message, StringComparison.Ordinal);
        Assert.Equal("1.0.0", (await worker.ListVersions()).Active);
        Assert.Null((await worker.ListVersions()).Rollout);   // nothing was touched

        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.1.0", Processor = "test", HealthCheck = "no-such-check" });
        Assert.Equal(WorkersErrorCodes.HealthCheckNotFound, (await Assert.ThrowsAsync<WorkersException>(() => worker.ActivateVersion("2.1.0"))).Code);

        Assert.Equal(WorkersErrorCodes.VersionExists, (await Assert.ThrowsAsync<WorkersException>(() => worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0" }))).Code);
        Assert.Equal(WorkersErrorCodes.VersionExists, (await Assert.ThrowsAsync<WorkersException>(() => worker.RegisterVersion(new WorkerVersionSpec { Version = "1.0.0" }))).Code);
        Assert.Equal(WorkersErrorCodes.InvalidVersion, (await Assert.ThrowsAsync<WorkersException>(() => worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0" }))).Code);
        Assert.Equal(WorkersErrorCodes.InvalidConcurrency, (await Assert.ThrowsAsync<WorkersException>(() => worker.RegisterVersion(new WorkerVersionSpec { Version = "3.0.0", Concurrency = 0 }))).Code);

        // Activating the active version changes nothing.
        var generation = (await worker.Get())!.Generation;
        Assert.Equal(generation, (await worker.ActivateVersion("1.0.0")).Generation);
    }

    [Fact]
    public async Task AStoppedWorker_TakesTheVersionAtOnce_AndStartsOnIt()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddProcessor("test-v3", ctx => Task.FromResult<object?>("v3")));
        var worker = c.Worker("stopped-versions");
        await worker.Create(new WorkerDefinition { Name = "stopped-versions", QueueName = "q-stopped-versions", Processor = "test", Concurrency = 2, AutoStart = false });
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "3.0.0", Processor = "test-v3", Concurrency = 7 });

        var info = await worker.ActivateVersion("3.0.0");
        Assert.Equal((WorkerStatus.Stopped, "3.0.0", "test-v3", 7), (info.Status, info.Definition.Version, info.Definition.ProcessorName, info.Definition.Concurrency));

        await worker.Start();
        var ack = await c.Enqueue("q-stopped-versions", new TestJob());
        var done = await c.WaitForState("q-stopped-versions", ack.JobId, JobState.Completed);
        Assert.Equal(("3.0.0", "\"v3\""), (done.WorkerVersion, done.Result));
    }

    [Fact]
    public async Task ARollbackToTheFirstVersion_RunsTheProcessorOfTheWorkersName_WhenItWasCreatedWithoutOne()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w
            .AddProcessor("own-name", ctx => Task.FromResult<object?>("v1"))
            .AddProcessor("test-v2", ctx => Task.FromResult<object?>("v2")));
        var worker = c.Worker("own-name");
        await worker.Create(new WorkerDefinition { Name = "own-name", QueueName = "q-own-name", AutoStart = false });
        await worker.RegisterVersion(new WorkerVersionSpec { Version = "2.0.0", Processor = "test-v2" });
        Assert.Equal("test-v2", (await worker.ActivateVersion("2.0.0")).Definition.ProcessorName);

        var back = await worker.ActivateVersion("1.0.0");
        Assert.Equal(("1.0.0", "own-name"), (back.Definition.Version, back.Definition.ProcessorName));
        await worker.Start();
        var ack = await c.Enqueue("q-own-name", new TestJob());
        var done = await c.WaitForState("q-own-name", ack.JobId, JobState.Completed);
        Assert.Equal(("1.0.0", "\"v1\""), (done.WorkerVersion, done.Result));
    }

    private static IEnumerable<EnqueueRequest> Jobs(int count, string tag) =>
        Enumerable.Range(0, count).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { Tag = $"{tag}-{i}", SleepMs = 20 }) });

    /// <summary>Resolves "flaky" a set number of times, then no more.</summary>
    private sealed class FlakyResolver : IProcessorResolver
    {
        private int left = int.MaxValue;

        public int ResolvesLeft { set => Volatile.Write(ref left, value); }

        public IJobProcessor? Resolve(string processorName, IServiceProvider services) =>
            processorName == "flaky" && Interlocked.Decrement(ref left) >= 0 ? new Done() : null;
    }

    /// <summary>Resolves "one-silo-only" on the silo that registered <see cref="Here"/>.</summary>
    private sealed class OneSiloResolver : IProcessorResolver
    {
        public IJobProcessor? Resolve(string processorName, IServiceProvider services) =>
            processorName == "one-silo-only" && services.GetService<Here>() is not null ? new Done() : null;

        public sealed class Here;
    }

    private sealed class Done : IJobProcessor
    {
        public Task<object?> ProcessAsync(JobContext context) => Task.FromResult<object?>(null);
    }
}

using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Plugin hooks around jobs and workers: their order, and isolation from plugins that throw or hang.</summary>
[Collection(nameof(PluginClusterCollection))]
public sealed class PluginHookTests(PluginCluster shared)
{
    private static readonly string[] Ordered = ["early", "alpha", "beta", "processor"];
    private static readonly BackoffOptions Quick = new() { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(10) };

    private WorkersCluster C => shared.Cluster;

    private HookJournal Journal => shared.Journal;

    private PluginHost[] Hosts => [.. C.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<PluginHost>())];

    [Fact]
    public async Task JobHooks_RunByOrderThenRegistration_StartsBeforeTheProcessor_OutcomesAfterIt()
    {
        await C.StartWorker("plug-order", "q-plug-order", processor: "journaled");

        var ack = await C.Enqueue("q-plug-order", new TestJob());
        await C.WaitForState("q-plug-order", ack.JobId, JobState.Completed);

        Assert.Equal(
            ["early:jobStart", "alpha:jobStart", "beta:jobStart", "processor:run", "early:jobComplete", "alpha:jobComplete", "beta:jobComplete"],
            Journal.Trace(ack.JobId, Ordered));
        var start = (PluginJobContext)Journal.About(ack.JobId, "alpha")[0].Context!;
        Assert.Equal(("plug-order", "q-plug-order", 1, "plug-order/0"), (start.WorkerName, start.Queue, start.Attempt, start.ReplicaId));
        Assert.Contains(start.Silo, C.Cluster.Silos.Select(s => s.SiloAddress.ToString()));
    }

    [Fact]
    public async Task FailedAttempts_CallOnJobFailed_WithTheError_AndWhetherTheJobWillBeRetried()
    {
        await C.StartWorker("plug-fail", "q-plug-fail", processor: "journaled");

        var flaky = await C.Enqueue("q-plug-fail", new TestJob { FailTimes = 1 }, attempts: 2, backoff: Quick);
        var poison = await C.Enqueue("q-plug-fail", new TestJob { Unrecoverable = true }, attempts: 3);
        await C.WaitForState("q-plug-fail", flaky.JobId, JobState.Completed);
        await C.WaitForState("q-plug-fail", poison.JobId, JobState.Failed);

        Assert.Equal(
            [
                "early:jobStart", "alpha:jobStart", "beta:jobStart", "processor:run", "early:jobFailed", "alpha:jobFailed", "beta:jobFailed",
                "early:jobStart", "alpha:jobStart", "beta:jobStart", "processor:run", "early:jobComplete", "alpha:jobComplete", "beta:jobComplete",
            ],
            Journal.Trace(flaky.JobId, Ordered));
        var retried = (PluginJobFailedContext)Journal.About(flaky.JobId, "alpha").Single(c => c.Hook == "jobFailed").Context!;
        Assert.IsType<InvalidOperationException>(retried.Exception);
        Assert.Contains("planned failure of attempt 1", retried.Error, StringComparison.Ordinal);
        Assert.Equal((1, 2, true, false), (retried.Job.Attempt, retried.Job.MaxAttempts, retried.WillRetry, retried.TimedOut));
        var dead = (PluginJobFailedContext)Journal.About(poison.JobId, "alpha").Single(c => c.Hook == "jobFailed").Context!;
        Assert.True(dead.DeadLettered);
        Assert.IsType<UnrecoverableJobException>(dead.Exception);
    }

    [Fact]
    public async Task ThrowingPlugin_NeverFailsAJob_NorStopsLaterPlugins_AndEachErrorIsCounted()
    {
        using var metrics = new MeterRecorder("zintrust.plugin.errors");
        var worker = await C.StartWorker("plug-throw", "q-plug-throw", processor: "journaled");

        var ok = await C.Enqueue("q-plug-throw", new TestJob());
        var flaky = await C.Enqueue("q-plug-throw", new TestJob { FailTimes = 1 }, attempts: 2, backoff: Quick);
        Assert.Equal((1, null), Summary(await C.WaitForState("q-plug-throw", ok.JobId, JobState.Completed)));
        Assert.Equal((2, null), Summary(await C.WaitForState("q-plug-throw", flaky.JobId, JobState.Completed)));
        await Eventually.True(() => Errors(metrics, "healthCheck") > 0, "the health-check hook ran (and threw)");
        await worker.Stop();
        var host = Hosts[0];
        await host.NotifyScaleAsync(new PluginScaleContext { WorkerName = "plug-throw", FromReplicas = 1, ToReplicas = 3, Reason = "test" }, TestContext.Current.CancellationToken);
        await host.NotifyFailoverAsync(new PluginFailoverContext { WorkerName = "plug-throw", ReplicaId = "plug-throw/0", FromSilo = "a", ToSilo = "b" }, TestContext.Current.CancellationToken);

        string[] hooks = ["jobStart", "jobComplete", "jobFailed", "workerStart", "workerStop", "healthCheck", "scale", "failover"];
        await Eventually.True(() => hooks.All(h => Errors(metrics, h) > 0), "every hook of the throwing plugin was reported");
        Assert.Equal(3, Errors(metrics, "jobStart"));   // one per attempt, each treated as "proceed"
        Assert.Equal(["alpha:jobStart", "processor:run", "alpha:jobComplete"], Journal.Trace(ok.JobId, "alpha", "processor"));
        Assert.Contains(Journal.About("plug-throw", "alpha"), c => c.Hook == "scale");
        Assert.Contains(Journal.About("plug-throw", "alpha"), c => c.Hook == "failover");
        // Worker hooks run off the worker grain's turn, plugin after plugin: the thrower's error can be counted
        // before the next plugin's hook for the same event has run.
        await Eventually.True(() => Journal.About("plug-throw", "alpha").Any(c => c.Hook == "workerStop"), "alpha saw the worker stop");

        static (int, string?) Summary(JobRecord job) => (job.Attempt, job.Error);
        static long Errors(MeterRecorder m, string hook) =>
            m.Sum("zintrust.plugin.errors", (WorkersInstruments.PluginTag, "thrower"), (WorkersInstruments.HookTag, hook));
    }

    [Fact]
    public async Task HangingHooks_TimeOut_AndTheJobRunsOn()
    {
        using var metrics = new MeterRecorder("zintrust.plugin.errors");
        await C.StartWorker("plug-hang", "q-plug-hang", processor: "journaled");

        var ack = await C.Enqueue("q-plug-hang", new TestJob());
        var done = await C.WaitForState("q-plug-hang", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(10));

        Assert.Equal(1, done.Attempt);
        Assert.Equal(["alpha:jobStart", "processor:run", "alpha:jobComplete"], Journal.Trace(ack.JobId, "alpha", "processor"));
        Assert.Equal(1, metrics.Sum("zintrust.plugin.errors", (WorkersInstruments.PluginTag, "hanger"), (WorkersInstruments.HookTag, "jobStart")));
        Assert.Equal(1, metrics.Sum("zintrust.plugin.errors", (WorkersInstruments.PluginTag, "hanger"), (WorkersInstruments.HookTag, "jobComplete")));
        Assert.True(done.FinishedAt - done.StartedAt >= PluginCluster.HookTimeout, $"the job waited for the hanging completion hook: {done.StartedAt} → {done.FinishedAt}");
    }

    [Fact]
    public async Task DisabledPlugin_IsNotCalledOnAnySilo_UntilEnabledAgain()
    {
        var registry = C.Client.GetGrain<IPluginRegistryGrain>(0);
        await C.StartWorker("plug-switch", "q-plug-switch", concurrency: 2, replicas: 2, processor: "journaled");

        var off = await registry.SetEnabled("switchable", false);
        Assert.False(off.IsEnabled("switchable"));
        await Eventually.True(() => Hosts.All(h => !h.Settings.IsEnabled("switchable")), "both silos read the switch");
        var whileOff = await RunOnBothSilos("q-plug-switch");
        Assert.All(whileOff, id => Assert.Empty(Journal.About(id, "switchable")));

        var on = await registry.SetEnabled("switchable", true);
        Assert.True(on.Version > off.Version);
        await Eventually.True(() => Hosts.All(h => h.Settings.IsEnabled("switchable")), "both silos read the switch");
        var whileOn = await RunOnBothSilos("q-plug-switch");
        Assert.All(whileOn, id => Assert.Equal(["switchable:jobStart", "switchable:jobComplete"], Journal.Trace(id, "switchable")));
    }

    [Fact]
    public async Task Registry_CountsVersionsOfRealChanges_AndRefusesImpossibleNames()
    {
        var registry = C.Client.GetGrain<IPluginRegistryGrain>(0);
        var before = await registry.Get();

        var same = await registry.SetEnabled("never-registered", true);   // enabled already: nothing changes
        var error = await Assert.ThrowsAsync<WorkersException>(() => registry.SetEnabled("no", false));

        Assert.Equal(before.Version, same.Version);
        Assert.Null(await registry.GetIfChanged(before.Version));
        Assert.Equal(WorkersErrorCodes.InvalidPluginName, error.Code);
    }

    [Fact]
    public async Task WorkerHooks_AreCalledOncePerStartAndStop_InOrder()
    {
        var worker = await C.StartWorker("plug-life", "q-plug-life", processor: "journaled");
        await worker.Stop();
        await worker.Stop();    // already stopped: no event
        await worker.Start();
        await worker.Stop();
        await worker.Restart(); // stopped: only a start

        await Eventually.True(() => Journal.About("plug-life", "alpha").Count >= 5, "five worker events");
        Assert.Equal(["alpha:workerStart", "alpha:workerStop", "alpha:workerStart", "alpha:workerStop", "alpha:workerStart"], Journal.Trace("plug-life", "alpha"));
        var starts = Journal.About("plug-life", "alpha").Where(c => c.Hook == "workerStart").Select(c => (PluginWorkerContext)c.Context!).ToArray();
        Assert.Equal(3, starts.Select(s => s.Generation).Distinct().Count());
        Assert.All(starts, s => Assert.Equal(("q-plug-life", 1), (s.QueueName, s.Replicas)));
        await worker.Stop();
    }

    [Fact]
    public async Task HealthCheckHook_GetsEachCheck_WithItsOutcome()
    {
        var worker = await C.StartWorker("plug-health", "q-plug-health", processor: "journaled");

        var call = await Eventually.Get(
            () => Task.FromResult(Journal.About("plug-health", "alpha").FirstOrDefault(c => c.Hook == "healthCheck")),
            c => c is not null,
            "the health-check hook ran");

        var check = (PluginHealthCheckContext)call!.Context!;
        Assert.Equal((true, "fine", "plug-health/0"), (check.Outcome.Healthy, check.Outcome.Message, check.ReplicaId));
        await worker.Stop();
    }

    /// <summary>Runs batches of jobs until they have run on both silos; returns the ids of every job run.</summary>
    private async Task<List<string>> RunOnBothSilos(string queue)
    {
        var ids = new List<string>();
        var silos = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (silos.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "jobs never ran on both silos");
            var batch = new List<string>();
            for (int i = 0; i < 8; i++)
            {
                batch.Add((await C.Enqueue(queue, new TestJob { SleepMs = 30 })).JobId);
            }

            foreach (var id in batch)
            {
                await C.WaitForState(queue, id, JobState.Completed);
            }

            ids.AddRange(batch);
            silos.UnionWith(batch.SelectMany(id => Journal.About(id, "alpha")).Select(c => c.Silo!));
        }

        return ids;
    }
}

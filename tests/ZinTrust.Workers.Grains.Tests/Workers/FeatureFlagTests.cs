using System.Collections.Concurrent;
using System.Diagnostics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// The feature flags that a worker's definition turns off do what they name: deadLetterQueue (jobs out of attempts are deleted, not
/// kept), metrics (no run-time series for the worker), plugins (no hook runs for it), observability (no span per attempt) and
/// datacenterOrchestration (no placement). Each test runs a worker with the flag off beside one with it on, as the control.
/// </summary>
public sealed class FeatureFlagTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static WorkerDefinition Worker(string name, string feature, bool on) => new()
    {
        Name = name,
        QueueName = "q-" + name,
        Processor = "test",
        Features = new Dictionary<string, bool> { [feature] = on },
    };

    private static async Task<IWorkerGrain> Start(WorkersCluster c, WorkerDefinition definition)
    {
        var worker = c.Worker(definition.Name);
        await worker.Create(definition);
        await worker.Start();
        return worker;
    }

    [Fact]
    public async Task DeadLetterQueueOff_DeletesJobsOutOfAttempts_InsteadOfKeepingThem_UntilTurnedOnAgain()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await Start(c, Worker("dlq-kept", WorkerFeatures.DeadLetterQueue, true));
        var dropping = await Start(c, Worker("dlq-dropped", WorkerFeatures.DeadLetterQueue, false));

        var kept = await c.Enqueue("q-dlq-kept", new TestJob { FailTimes = 1 }, attempts: 1);
        var dropped = await c.Enqueue("q-dlq-dropped", new TestJob { FailTimes = 1 }, attempts: 1);

        await c.WaitForState("q-dlq-kept", kept.JobId, JobState.Failed);
        var stats = await Eventually.Get(() => c.Queue("q-dlq-dropped").GetStats(), s => s.Counters.DeadLettered == 1, "the job ran out of attempts", Wait);
        Assert.Null(await c.Queue("q-dlq-dropped").GetJob(dropped.JobId));
        Assert.Equal(0, stats.Failed);
        Assert.Equal(1, (await c.Queue("q-dlq-kept").GetStats()).Failed);

        // Turned on again: the queue's policy keeps dead letters from then on.
        await dropping.Update(new WorkerUpdate { Features = new Dictionary<string, bool> { [WorkerFeatures.DeadLetterQueue] = true } });
        var later = await c.Enqueue("q-dlq-dropped", new TestJob { FailTimes = 1 }, attempts: 1);
        await c.WaitForState("q-dlq-dropped", later.JobId, JobState.Failed);
    }

    [Fact]
    public async Task MetricsOff_RecordsNoRunTimeForTheWorker()
    {
        using var meters = new MeterRecorder("zintrust.job.duration");
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await Start(c, Worker("metered-on", WorkerFeatures.Metrics, true));
        await Start(c, Worker("metered-off", WorkerFeatures.Metrics, false));

        foreach (var name in new[] { "metered-on", "metered-off" })
        {
            var ack = await c.Enqueue("q-" + name, new TestJob());
            await c.WaitForState("q-" + name, ack.JobId, JobState.Completed);
        }

        // The run time is recorded before the outcome is reported: by now the worker with metrics has its measurement.
        Assert.Equal(1, meters.Count("zintrust.job.duration", (WorkersInstruments.WorkerTag, "metered-on")));
        Assert.Equal(0, meters.Count("zintrust.job.duration", (WorkersInstruments.WorkerTag, "metered-off")));
    }

    [Fact]
    public async Task PluginsOff_RunsNoHookForTheWorkersJobsOrEvents()
    {
        var journal = new HookJournal();
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddPlugin(new RecordingPlugin("watcher", journal)));
        await Start(c, Worker("hooked-on", WorkerFeatures.Plugins, true));
        var off = await Start(c, Worker("hooked-off", WorkerFeatures.Plugins, false));

        var on = await c.Enqueue("q-hooked-on", new TestJob());
        var quiet = await c.Enqueue("q-hooked-off", new TestJob());
        await c.WaitForState("q-hooked-on", on.JobId, JobState.Completed);
        await c.WaitForState("q-hooked-off", quiet.JobId, JobState.Completed);
        await off.Stop();

        Assert.Contains("watcher:jobStart", journal.Trace(on.JobId));
        await Eventually.True(() => journal.Trace("hooked-on").Contains("watcher:workerStart"), "the control's start reached the plugin");
        Assert.Empty(journal.About(quiet.JobId));
        Assert.Empty(journal.About("hooked-off"));
    }

    [Fact]
    public async Task ObservabilityOff_StartsNoSpanForTheWorkersAttempts()
    {
        var spans = new ConcurrentQueue<(string? Worker, string Name)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkersActivity.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => spans.Enqueue((a.GetTagItem("messaging.consumer.group.name") as string, a.OperationName)),
        };
        ActivitySource.AddActivityListener(listener);
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await Start(c, Worker("traced-on", WorkerFeatures.Observability, true));
        await Start(c, Worker("traced-off", WorkerFeatures.Observability, false));

        foreach (var name in new[] { "traced-on", "traced-off" })
        {
            var ack = await c.Enqueue("q-" + name, new TestJob());
            await c.WaitForState("q-" + name, ack.JobId, JobState.Completed);
        }

        await Eventually.True(() => spans.Contains(("traced-on", "process q-traced-on")), "the control's attempt was traced");
        Assert.DoesNotContain(spans, s => s.Worker == "traced-off" || s.Name == "process q-traced-off");
    }

    [Fact]
    public async Task AFlagTheReplicasApply_RestartsARunningWorker_WhenItChanges_AndAQueueFlagDoesNot()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var worker = await Start(c, Worker("flag-restart", WorkerFeatures.Observability, true));
        long generation = (await worker.Get())!.Generation;

        var sameReplicas = await worker.Update(new WorkerUpdate { Features = new Dictionary<string, bool> { [WorkerFeatures.Observability] = true, [WorkerFeatures.DeadLetterQueue] = false } });
        Assert.Equal((WorkerStatus.Running, generation), (sameReplicas.Status, sameReplicas.Generation));

        var restarted = await worker.Update(new WorkerUpdate { Features = new Dictionary<string, bool> { [WorkerFeatures.Observability] = false, [WorkerFeatures.DeadLetterQueue] = false } });
        Assert.Equal((WorkerStatus.Running, generation + 1), (restarted.Status, restarted.Generation));

        var check = await worker.Update(new WorkerUpdate { HealthCheck = new HealthCheckSpec { Kind = HealthCheckKind.Tcp, Host = "127.0.0.1", Port = 9 } });
        Assert.Equal((WorkerStatus.Running, generation + 2), (check.Status, check.Generation));
    }

    [Fact]
    public async Task DatacenterOrchestrationOff_RefusesAPlacementAndAFailoverPolicy()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var worker = c.Worker("anywhere");
        await worker.Create(Worker("anywhere", WorkerFeatures.DatacenterOrchestration, false));

        var placement = await Assert.ThrowsAsync<WorkersException>(() => worker.SetPlacement(new WorkerPlacement { Region = "us-east-1" }, "ops"));
        var failover = await Assert.ThrowsAsync<WorkersException>(() => worker.SetFailover(new FailoverPolicy { PrimaryRegion = "us-east-1", SecondaryRegion = "eu-west-1" }, "ops"));

        Assert.Equal((WorkersErrorCodes.FeatureDisabled, WorkersErrorCodes.FeatureDisabled), (placement.Code, failover.Code));
        Assert.Null((await worker.Get())!.Definition.Placement);
        Assert.Equal("anywhere", (await worker.SetPlacement(null, "ops")).Definition.Name);   // removing nothing is fine
    }

    [Fact]
    public async Task FlagsThatCannotApply_AreRefused_OnCreateAndUpdate()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        foreach (var feature in new[] { WorkerFeatures.Clustering, WorkerFeatures.Compliance, WorkerFeatures.Versioning })
        {
            var refused = await Assert.ThrowsAsync<WorkersException>(() => c.Worker("refused-" + feature.ToLowerInvariant()).Create(Worker("refused-" + feature.ToLowerInvariant(), feature, false)));
            Assert.Equal(WorkersErrorCodes.FeatureNotSupported, refused.Code);
            Assert.Null(await c.Worker("refused-" + feature.ToLowerInvariant()).Get());
        }

        var worker = c.Worker("flags-kept");
        await worker.Create(Worker("flags-kept", WorkerFeatures.Versioning, true));
        var update = await Assert.ThrowsAsync<WorkersException>(() => worker.Update(new WorkerUpdate { Features = new Dictionary<string, bool> { [WorkerFeatures.Clustering] = false } }));
        Assert.Equal(WorkersErrorCodes.FeatureNotSupported, update.Code);
        Assert.Equal(new Dictionary<string, bool> { [WorkerFeatures.Versioning] = true }, (await worker.Get())!.Definition.Features);
    }
}

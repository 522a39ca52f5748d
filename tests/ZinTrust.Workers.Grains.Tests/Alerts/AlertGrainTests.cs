using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// The cluster's alert evaluator on a fake clock. Its own timer is an hour apart here, so each test evaluates by calling it
/// (as the timer does) and moves the clock by the 30 s a real interval would take. Each test owns its cluster (the evaluator is
/// a cluster singleton).
/// </summary>
public sealed class AlertGrainTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task QueueDepth_RaisesAfterTheHold_StaysThroughFlapping_AndResolvesOnlyBelowTheClearThreshold()
    {
        var sink = new RecordingAlertSink();
        await using var c = await StartAsync(o => o.QueueDepth = new AlertThreshold { Warning = 10 }, sink: sink);
        var jobs = await Watch(c, "depth-worker", "q-depth", jobs: 12);

        await EvaluateTimes(c, 2);
        Assert.Empty((await Alerts(c)).Alerts);
        var firstBreach = c.Clock!.GetUtcNow() - (2 * Tick);
        await Evaluate(c);

        var raised = Assert.Single((await Alerts(c, AlertStateFilter.Active)).Alerts);
        Assert.Equal((AlertRule.QueueDepth, "q-depth", AlertSeverity.Warning, 12.0, 10.0, 8.0), (raised.Rule, raised.Subject, raised.Severity, raised.Value, raised.Threshold, raised.ClearThreshold));
        Assert.Equal(firstBreach, raised.Since);
        Assert.Equal("Queue 'q-depth': 12 waiting jobs, above the warning threshold of 10.", raised.Message);

        // 9 is under the threshold but not under the clear threshold (8): the alert stays, and nothing is raised again when
        // the depth goes back over.
        await Cancel(c, "q-depth", jobs, 3);
        await EvaluateTimes(c, 3);
        var more = await c.Queue("q-depth").EnqueueBatch([new() { Payload = "1" }, new() { Payload = "2" }, new() { Payload = "3" }]);
        await EvaluateTimes(c, 2);
        Assert.Equal(raised.Id, Assert.Single((await Alerts(c, AlertStateFilter.Active)).Alerts).Id);

        await Cancel(c, "q-depth", [.. jobs.Skip(3), .. more.Select(r => r.JobId)], 5);   // 7 waiting
        await Evaluate(c);
        Assert.Single((await Alerts(c, AlertStateFilter.Active)).Alerts);
        await Evaluate(c);

        var report = await Alerts(c);
        Assert.Equal(0, report.ActiveCount);
        var resolved = Assert.Single(report.Alerts);
        Assert.Equal((raised.Id, 7.0, 12.0), (resolved.Id, resolved.Value, resolved.Peak));
        Assert.Equal(c.Clock.GetUtcNow() - Tick, resolved.ResolvedAt);
        Assert.StartsWith("Back to 7 waiting jobs, at or below 8", resolved.Resolution, StringComparison.Ordinal);
        Assert.Equal(["queue.depth:raised", "queue.depth:resolved"], sink.Changes("q-depth"));
    }

    [Fact]
    public async Task ACriticalAlert_IsToldToPluginsAndTheAuditLog_WhenRaisedAndWhenResolved()
    {
        var journal = new HookJournal();
        var audit = new RecordingAuditLog();
        await using var c = await StartAsync(
            o =>
            {
                o.RaiseAfter = 1;
                o.ResolveAfter = 1;
                o.QueueDepth = new AlertThreshold { Warning = 2, Critical = 4 };
            },
            workers: w => w.AddPlugin(new RecordingPlugin("alert-listener", journal)),
            audit: audit);
        var jobs = await Watch(c, "critical-worker", "q-critical", jobs: 5);

        await Evaluate(c);
        await Cancel(c, "q-critical", jobs, 5);
        await Evaluate(c);

        await Eventually.True(() => journal.Trace("q-critical").Count == 2, "the plugin hears of the raise and the resolution");
        var calls = journal.About("q-critical").Select(h => (PluginAlertContext)h.Context!).ToArray();
        Assert.Equal([AlertChange.Raised, AlertChange.Resolved], calls.Select(x => x.Change));
        Assert.Equal(AlertSeverity.Critical, calls[0].Alert.Severity);
        Assert.True(calls[1].Alert.WasCritical);
        Assert.NotNull(calls[1].Alert.ResolvedAt);
        await Eventually.True(() => audit.Entries.Count(e => e.Action.StartsWith("alerts.", StringComparison.Ordinal)) == 2, "two audit records");
        var records = audit.Entries.Where(e => e.Action.StartsWith("alerts.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["alerts.raise", "alerts.resolve"], records.Select(e => e.Action));
        Assert.All(records, e => Assert.Equal(("system", "queue.depth/q-critical"), (e.Actor, e.Target)));
    }

    [Fact]
    public async Task OldestWait_RaisesWhenTheOldestWaitingJobHasWaitedTooLong()
    {
        await using var c = await StartAsync(o =>
        {
            o.RaiseAfter = 1;
            o.QueueOldestWait = new AlertThreshold { Warning = 60 };
        });
        await Watch(c, "wait-worker", "q-wait", jobs: 1);

        await Evaluate(c);
        Assert.Empty((await Alerts(c)).Alerts);
        c.Clock!.Advance(TimeSpan.FromSeconds(60));
        await Evaluate(c);

        var alert = Assert.Single((await Alerts(c)).Alerts);
        Assert.Equal((AlertRule.QueueOldestWait, "q-wait", 90.0, "seconds"), (alert.Rule, alert.Subject, alert.Value, alert.Unit));
        Assert.Equal("Queue 'q-wait': oldest waiting job waited 1m 30s, above the warning threshold of 1m 00s.", alert.Message);
    }

    [Fact]
    public async Task StoppingTheResourceMonitor_ResolvesAndHoldsOffResourceAlerts_WhileQueueAlertsGoOn()
    {
        await using var c = await StartAsync(o =>
        {
            o.RaiseAfter = 1;
            o.ResolveAfter = 1;
            o.Memory = new AlertThreshold { Warning = 0.001 };   // any machine's memory in use breaches it
            o.QueueDepth = new AlertThreshold { Warning = 1 };
        });
        await c.Worker("res-worker").Create(new WorkerDefinition
        {
            Name = "res-worker",
            QueueName = "q-res",
            Processor = "test",
            Features = new Dictionary<string, bool> { ["resourceMonitoring"] = true },
        });
        await c.Queue("q-res").EnqueueBatch([new() { Payload = "1" }, new() { Payload = "2" }]);
        var monitor = c.Client.GetGrain<IResourceMonitorGrain>(0);
        await Eventually.True(async () => (await monitor.GetStatus()).LastSnapshotAt is not null, "the resource monitor's first snapshot");

        await Evaluate(c);
        var running = await Alerts(c);
        Assert.True(running.Status.ResourceAlertsEnabled);
        Assert.Equal(ResourceMonitorGate.Running, running.Status.ResourceMonitor);
        Assert.Equal([AlertRule.QueueDepth, AlertRule.SiloMemory], running.Alerts.Select(a => a.Rule).Order());

        await monitor.Stop();
        await Evaluate(c);
        await Watch(c, "res-other", "q-res-other", jobs: 2);
        await EvaluateTimes(c, 2);

        var stopped = await Alerts(c);
        Assert.False(stopped.Status.ResourceAlertsEnabled);
        Assert.Equal(ResourceMonitorGate.StoppedByOperator, stopped.Status.ResourceMonitor);
        Assert.Equal(["q-res", "q-res-other"], (await Alerts(c, AlertStateFilter.Active)).Alerts.Select(a => a.Subject).Order());
        var memory = Assert.Single(stopped.Alerts, a => a.Rule == AlertRule.SiloMemory);
        Assert.False(memory.IsActive);
        Assert.Equal("Resource alerts disabled: resource monitoring was stopped by an operator.", memory.Resolution);
    }

    [Fact]
    public async Task ActiveAlerts_SurviveTheEvaluatorsSilo_AndAreNotRaisedAgainByItsSuccessor()
    {
        var sink = new RecordingAlertSink();
        await using var c = await StartAsync(o =>
        {
            o.RaiseAfter = 1;
            o.QueueDepth = new AlertThreshold { Warning = 1 };
        }, silos: 2, sink: sink);
        await Watch(c, "move-worker", "q-move", jobs: 3);
        await Evaluate(c);
        var before = await Alerts(c);
        var host = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Status.Host);

        await c.Cluster.StopSiloAsync(host, TestContext.Current.CancellationToken);
        var after = await Alerts(c);
        await EvaluateTimes(c, 3);

        Assert.NotEqual(before.Status.Host, after.Status.Host);
        Assert.Equal(Assert.Single(before.Alerts).Id, Assert.Single(after.Alerts).Id);
        Assert.Equal(["queue.depth:raised"], sink.Changes("q-move"));
    }

    [Fact]
    public async Task DisabledAlerts_EvaluateNothing()
    {
        await using var c = await StartAsync(o =>
        {
            o.Enabled = false;
            o.RaiseAfter = 1;
            o.QueueDepth = new AlertThreshold { Warning = 1 };
        });
        await Watch(c, "off-worker", "q-off", jobs: 3);

        await EvaluateTimes(c, 2);

        var report = await Alerts(c);
        Assert.False(report.Status.Enabled);
        Assert.Empty(report.Alerts);
        Assert.Equal(0, report.Status.Evaluations);
    }

    private static Task<WorkersCluster> StartAsync(
        Action<AlertOptions> configure, int silos = 1, RecordingAlertSink? sink = null, Action<WorkersBuilder>? workers = null, RecordingAuditLog? audit = null) =>
        WorkersCluster.StartAsync(
            silos,
            fakeClock: true,
            workers: w =>
            {
                w.ConfigureAlerts(o =>
                {
                    o.Interval = TimeSpan.FromHours(1);   // never fires in a test: evaluations are called
                    o.ReminderPeriod = TimeSpan.FromMinutes(1);
                    o.RaiseAfter = 3;
                    o.ResolveAfter = 2;
                    o.HysteresisPercent = 20;
                    foreach (var rule in AlertRules.Values)
                    {
                        var threshold = o.Thresholds(rule);
                        (threshold.Warning, threshold.Critical) = (null, null);
                    }

                    configure(o);
                });
                workers?.Invoke(w);
            },
            silo: (_, s) =>
            {
                if (sink is not null)
                {
                    s.Services.AddSingleton<IAlertSink>(sink);
                }

                if (audit is not null)
                {
                    s.Services.AddSingleton<IAuditLog>(audit);
                }
            });

    /// <summary>Registers a (stopped) worker on <paramref name="queue"/>, whose queue the evaluator then watches, and enqueues jobs.</summary>
    private static async Task<string[]> Watch(WorkersCluster c, string worker, string queue, int jobs)
    {
        await c.Worker(worker).Create(new WorkerDefinition { Name = worker, QueueName = queue, Processor = "test" });
        var results = await c.Queue(queue).EnqueueBatch([.. Enumerable.Range(0, jobs).Select(i => new EnqueueRequest { Payload = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })]);
        return [.. results.Select(r => r.JobId)];
    }

    private static async Task Cancel(WorkersCluster c, string queue, IEnumerable<string> jobs, int count)
    {
        foreach (var id in jobs.Take(count))
        {
            await c.Queue(queue).Cancel(id);
        }
    }

    /// <summary>One evaluation, then the clock moves on by an interval.</summary>
    private static async Task Evaluate(WorkersCluster c)
    {
        await c.Client.GetGrain<IAlertTicks>(IAlertGrain.Key).Evaluate();
        c.Clock!.Advance(Tick);
    }

    private static async Task EvaluateTimes(WorkersCluster c, int times)
    {
        for (int i = 0; i < times; i++)
        {
            await Evaluate(c);
        }
    }

    private static Task<AlertReport> Alerts(WorkersCluster c, AlertStateFilter state = AlertStateFilter.All) =>
        c.Client.GetGrain<IAlertGrain>(IAlertGrain.Key).GetAlerts(state, 100);
}

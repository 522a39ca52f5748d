using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>A plugin that vetoes job starts, under a fake clock.</summary>
public sealed class PluginThrottleTests
{
    [Fact]
    public async Task Veto_DelaysTheJob_WithoutUsingAnAttemptOrRecordingAnError_AndItRunsLater()
    {
        var journal = new HookJournal();
        var throttle = new ThrottlePlugin("throttle", "q-throttle", TimeSpan.FromSeconds(30));
        using var metrics = new MeterRecorder("zintrust.plugin.deferrals");
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w => w
            .AddPlugin(new RecordingPlugin("after", journal), order: 1)
            .AddPlugin(throttle)
            .AddPlugin(new RecordingPlugin("before", journal), order: -1));
        await c.StartWorker("throttled", "q-throttle");

        var ack = await c.Enqueue("q-throttle", new TestJob(), attempts: 1);
        var deferred = await c.WaitForState("q-throttle", ack.JobId, JobState.Delayed);

        Assert.Equal((0, null, c.Clock!.GetUtcNow() + TimeSpan.FromSeconds(30)), (deferred.Attempt, deferred.Error, deferred.RunAt));
        Assert.Equal(0, c.Ledger.StartsOf(ack.JobId));
        Assert.Equal(["before:jobStart"], journal.Trace(ack.JobId));   // later plugins not asked; no outcome call
        Assert.Equal(1, metrics.Sum("zintrust.plugin.deferrals", (WorkersInstruments.PluginTag, "throttle"), (WorkersInstruments.WorkerTag, "throttled")));

        throttle.Closed = false;
        c.Clock.Advance(TimeSpan.FromSeconds(30));
        var done = await c.WaitForState("q-throttle", ack.JobId, JobState.Completed);

        Assert.Equal((1, null), (done.Attempt, done.Error));
        Assert.Equal([1], c.Ledger.For(ack.JobId).Select(e => e.Attempt));   // attempts: 1, and the veto did not use it up
        Assert.Equal(["before:jobStart", "before:jobStart", "after:jobStart", "before:jobComplete", "after:jobComplete"], journal.Trace(ack.JobId));
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The queue's side of result watching: registration rules, expiry under a fake clock, the notice itself.</summary>
public sealed class ResultWatchTests
{
    private sealed class Recorder : IJobCompletionObserver
    {
        public List<JobRecord> Seen { get; } = [];

        public Task JobSettled(JobRecord job)
        {
            lock (Seen)
            {
                Seen.Add(job);
            }

            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Watch_OfAClientThatVanished_ExpiresAfterItsLifetime()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-watch-expiry");
        var ack = await c.Enqueue("q-watch-expiry", new TestJob());   // no worker: it stays waiting
        var recorder = new Recorder();
        var observer = c.Client.CreateObjectReference<IJobCompletionObserver>(recorder);

        var seen = await queue.WatchJob(ack.JobId, observer, TimeSpan.FromSeconds(10));
        c.Client.DeleteObjectReference<IJobCompletionObserver>(observer);   // the client is gone without unwatching
        c.Clock!.Advance(TimeSpan.FromSeconds(9));
        await queue.Tick();
        int beforeExpiry = (await queue.GetStats()).Watchers;
        c.Clock.Advance(TimeSpan.FromSeconds(2));
        await queue.Tick();

        Assert.Equal(JobState.Waiting, seen!.State);
        Assert.Equal(1, beforeExpiry);
        Assert.Equal(0, (await queue.GetStats()).Watchers);
        GC.KeepAlive(recorder);
    }

    [Fact]
    public async Task Watch_RegistersNothing_ForUnknownOrSettledJobs_AndRenewsInsteadOfDuplicating()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-watch-rules");
        var recorder = new Recorder();
        var observer = c.Client.CreateObjectReference<IJobCompletionObserver>(recorder);
        var waiting = await c.Enqueue("q-watch-rules", new TestJob());
        var cancelled = await c.Enqueue("q-watch-rules", new TestJob());
        await queue.Cancel(cancelled.JobId);

        Assert.Null(await queue.WatchJob("unknown", observer, TimeSpan.FromMinutes(1)));
        Assert.Equal(JobState.Cancelled, (await queue.WatchJob(cancelled.JobId, observer, TimeSpan.FromMinutes(1)))!.State);
        Assert.Equal(0, (await queue.GetStats()).Watchers);

        await queue.WatchJob(waiting.JobId, observer, TimeSpan.FromSeconds(5));
        c.Clock!.Advance(TimeSpan.FromSeconds(4));
        await queue.WatchJob(waiting.JobId, observer, TimeSpan.FromSeconds(5));   // renewed: now expires at 9 s
        c.Clock.Advance(TimeSpan.FromSeconds(4));
        await queue.Tick();
        Assert.Equal(1, (await queue.GetStats()).Watchers);

        await queue.UnwatchJob(waiting.JobId, observer);
        Assert.Equal(0, (await queue.GetStats()).Watchers);
        c.Client.DeleteObjectReference<IJobCompletionObserver>(observer);
        GC.KeepAlive(recorder);
    }

    [Fact]
    public async Task Watch_IsToldOnce_WithTheDurableSettledRecord()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-watch-notice");
        var recorder = new Recorder();
        var observer = c.Client.CreateObjectReference<IJobCompletionObserver>(recorder);
        var ack = await c.Enqueue("q-watch-notice", new TestJob { Tag = "noticed" });

        await queue.WatchJob(ack.JobId, observer, TimeSpan.FromMinutes(1));
        await c.StartWorker("watch-notice", "q-watch-notice");
        await Eventually.True(() => { lock (recorder.Seen) { return recorder.Seen.Count > 0; } }, "the observer is told");
        await c.WaitForState("q-watch-notice", ack.JobId, JobState.Completed);

        var notice = Assert.Single(recorder.Seen);
        Assert.Equal(JobState.Completed, notice.State);
        Assert.Contains("noticed", notice.Result, StringComparison.Ordinal);
        Assert.Contains(c.Store.History(ack.JobId), r => r.State == JobState.Completed);
        Assert.Equal(0, (await queue.GetStats()).Watchers);
        c.Client.DeleteObjectReference<IJobCompletionObserver>(observer);
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Rules about time, under a fake clock: exact backoff and delays.</summary>
public sealed class ClockTests
{
    [Fact]
    public async Task Retries_WaitExactlyTheExponentialBackoff()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2, fakeClock: true);
        await c.StartWorker("clock-retry", "q-clock-retry");
        var backoff = new BackoffOptions { Kind = BackoffKind.Exponential, BaseDelay = TimeSpan.FromSeconds(1) };
        var ack = await c.Enqueue("q-clock-retry", new TestJob { FailTimes = 10 }, attempts: 3, backoff: backoff);

        var afterFirst = await c.WaitForState("q-clock-retry", ack.JobId, JobState.Delayed);
        Assert.Equal(c.Clock!.GetUtcNow() + TimeSpan.FromSeconds(1), afterFirst.RunAt);

        c.Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(JobState.Delayed, (await c.Queue("q-clock-retry").GetJob(ack.JobId))!.State);
        Assert.Equal(1, c.Ledger.StartsOf(ack.JobId));

        c.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var afterSecond = await c.WaitForState("q-clock-retry", ack.JobId, s => s == JobState.Delayed && c.Ledger.StartsOf(ack.JobId) == 2, "attempt 2 ran and failed");
        Assert.Equal(c.Clock.GetUtcNow() + TimeSpan.FromSeconds(2), afterSecond.RunAt);

        c.Clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(2, c.Ledger.StartsOf(ack.JobId));
        c.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var dead = await c.WaitForState("q-clock-retry", ack.JobId, JobState.Failed);

        Assert.Equal(3, dead.Attempt);
        Assert.Equal(JobFailureReasons.AttemptsExhausted, dead.FailureReason);
        Assert.Equal([1, 2, 3], c.Ledger.For(ack.JobId).Select(e => e.Attempt));
    }

    [Fact]
    public async Task DelayedJob_RunsWhenDue_AndNotBefore()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        await c.StartWorker("clock-delay", "q-clock-delay");
        var ack = await c.Enqueue("q-clock-delay", new TestJob { Tag = "later" }, delay: TimeSpan.FromMinutes(5));
        var now = c.Clock!.GetUtcNow();

        var job = await c.Queue("q-clock-delay").GetJob(ack.JobId);
        Assert.Equal(JobState.Delayed, job!.State);
        Assert.Equal(now + TimeSpan.FromMinutes(5), job.RunAt);

        c.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        var sentinel = await c.Enqueue("q-clock-delay", new TestJob { Tag = "now" });
        await c.WaitForState("q-clock-delay", sentinel.JobId, JobState.Completed);
        Assert.Equal(0, c.Ledger.StartsOf(ack.JobId));

        c.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await c.WaitForState("q-clock-delay", ack.JobId, JobState.Completed);
    }

    [Fact]
    public async Task DeferredJob_WaitsItsDelay_WithoutCountingTheAttempt_OrRecordingAnError()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-clock-defer");
        var ack = await c.Enqueue("q-clock-defer", new TestJob(), attempts: 1);
        var leased = Assert.Single(await queue.Lease("defer-replica", 1));

        var status = await queue.Report("defer-replica", [new JobOutcome { JobId = ack.JobId, LeaseToken = leased.LeaseToken, Kind = JobOutcomeKind.Deferred, Delay = TimeSpan.FromSeconds(30) }]);

        Assert.Equal([AckStatus.Accepted], status);
        var deferred = (await queue.GetJob(ack.JobId))!;
        Assert.Equal(JobState.Delayed, deferred.State);
        Assert.Equal(0, deferred.Attempt);
        Assert.Null(deferred.Error);
        Assert.Equal(c.Clock!.GetUtcNow() + TimeSpan.FromSeconds(30), deferred.RunAt);

        c.Clock.Advance(TimeSpan.FromSeconds(30));
        await c.WaitForState("q-clock-defer", ack.JobId, JobState.Waiting);
        var again = Assert.Single(await queue.Lease("defer-replica", 1));
        Assert.Equal(1, again.Attempt);   // attempts: 1, and the deferral did not use it up
    }
}

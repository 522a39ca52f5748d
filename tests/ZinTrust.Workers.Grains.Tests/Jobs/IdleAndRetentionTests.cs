using System.Diagnostics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class IdleAndRetentionTests
{
    [Fact]
    public async Task IdleReplica_DoesNotPoll_AndIsWokenAtOnceByANewJob()
    {
        // The safety re-poll is set to a minute: anything faster than that is the queue's wake-up.
        await using var c = await WorkersCluster.StartAsync(silos: 2, configure: o => o.IdlePollInterval = TimeSpan.FromMinutes(1));
        await c.StartWorker("idle-worker", "q-idle");
        await Eventually.True(() => c.Calls["LeaseFor"] >= 1, "the replica asked its queue once");
        int leasesWhenIdle = c.Calls["LeaseFor"];

        // A deliberate idle window: there is no event to await for "nothing happened".
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        Assert.Equal(leasesWhenIdle, c.Calls["LeaseFor"]);

        var watch = Stopwatch.StartNew();
        var ack = await c.Enqueue("q-idle", new TestJob { Tag = "wake" });
        await c.WaitForState("q-idle", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(20));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"woken in {watch.Elapsed}");
    }

    [Fact]
    public async Task RetainNone_RemovesFinishedJobs_AndRetainN_KeepsTheLastN()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("keep-none", "q-keep-none", jobOptions: new JobOptions { RetainCompleted = 0 });
        await c.StartWorker("keep-two", "q-keep-two", concurrency: 1, jobOptions: new JobOptions { RetainCompleted = 2 });

        var gone = await c.Enqueue("q-keep-none", new TestJob());
        await Eventually.True(() => c.Ledger.For(gone.JobId).Any(e => e.Finished), "the job ran");
        await Eventually.Get(() => c.Queue("q-keep-none").GetJob(gone.JobId), j => j is null, "the finished job is not retained");
        Assert.Equal(0, c.Store.Count("q-keep-none"));

        var kept = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            var ack = await c.Enqueue("q-keep-two", new TestJob { Tag = $"r{i}" });
            await c.WaitForState("q-keep-two", ack.JobId, JobState.Completed);
            kept.Add(ack.JobId);
        }

        Assert.Null(await c.Queue("q-keep-two").GetJob(kept[0]));
        Assert.Null(await c.Queue("q-keep-two").GetJob(kept[1]));
        Assert.NotNull(await c.Queue("q-keep-two").GetJob(kept[2]));
        Assert.NotNull(await c.Queue("q-keep-two").GetJob(kept[3]));
        Assert.Equal(2, (await c.Queue("q-keep-two").GetStats()).Completed);
    }

    [Fact]
    public async Task Progress_IsVisibleWhileTheJobRuns()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("progress-worker", "q-progress");

        var ack = await c.Enqueue("q-progress", new TestJob { Progress = 40, SleepMs = -1 });

        var running = await c.WaitForState("q-progress", ack.JobId, s => s == JobState.Active, "the job runs");
        await Eventually.Get(() => c.Queue("q-progress").GetJob(ack.JobId), j => j!.Progress == 40, "progress 40 recorded");
        Assert.Equal(1, running.Attempt);
        await c.Queue("q-progress").Cancel(ack.JobId);
    }

    [Fact]
    public async Task HealthCheck_RunsOnTheReplica_AndReachesTheWorker()
    {
        int checks = 0;
        await using var c = await WorkersCluster.StartAsync(
            silos: 1,
            workers: w => w.AddHealthCheck("health-worker", _ =>
            {
                int n = Interlocked.Increment(ref checks);
                return Task.FromResult(new HealthCheckOutcome(n % 2 == 1, $"check {n}"));
            }));
        var worker = await c.StartWorker("health-worker", "q-health");

        var info = await Eventually.Get(worker.Get, w => w!.Health.CheckedAt is not null, "a health result arrived");

        Assert.NotNull(info!.Health.Healthy);
        Assert.StartsWith("check ", info.Health.Message, StringComparison.Ordinal);
        await Eventually.True(() => Volatile.Read(ref checks) >= 2, "the check repeats every interval");
    }
}

using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>The job path on the Redis store, including restarts of the whole cluster and of Redis itself.</summary>
public sealed class RedisClusterTests
{
    [Fact]
    public async Task JobPath_OnRedis_CompletesRetriesAndDeadLetters()
    {
        var (redis, _) = RealServers.RedisStore();
        await using var c = await WorkersCluster.StartAsync(silos: 2, store: RealServers.Recording(redis));
        await c.StartWorker("redis-path", "q-redis-path", concurrency: 8);

        var ok = await c.Enqueue("q-redis-path", new TestJob { Tag = "ok" });
        var retried = await c.Enqueue("q-redis-path", new TestJob { FailTimes = 1 }, attempts: 2, backoff: new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(20) });
        var dead = await c.Enqueue("q-redis-path", new TestJob { Unrecoverable = true });

        Assert.Contains("\"tag\":\"ok\"", (await c.WaitForState("q-redis-path", ok.JobId, JobState.Completed)).Result, StringComparison.Ordinal);
        Assert.Equal(2, (await c.WaitForState("q-redis-path", retried.JobId, JobState.Completed)).Attempt);
        Assert.Equal(JobFailureReasons.Unrecoverable, (await c.WaitForState("q-redis-path", dead.JobId, JobState.Failed)).FailureReason);
        Assert.Equal(3, c.Store.Count("q-redis-path"));
        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
    }

    [Fact]
    public async Task FullClusterRestart_WithJobsWaitingRunningAndDelayed_AllFinish_AndDueDelayedJobsRunOnce()
    {
        var (redis, options) = RealServers.RedisStore();
        var acks = new List<EnqueueResult>();
        var state = new InProcessStateStore();
        await using (var first = await WorkersCluster.StartAsync(silos: 2, store: RealServers.Recording(redis), state: state, configure: o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(200)))
        {
            await first.StartWorker("restart-worker", "q-restart", concurrency: 2, drain: TimeSpan.FromMilliseconds(200));
            for (int i = 0; i < 4; i++)
            {
                acks.Add(await first.Enqueue("q-restart", new TestJob { SleepMs = -1, Tag = $"running-{i}" }));
            }

            for (int i = 0; i < 3; i++)
            {
                acks.Add(await first.Enqueue("q-restart", new TestJob { Tag = $"delayed-{i}" }, delay: TimeSpan.FromMilliseconds(300)));
            }

            await Eventually.True(() => first.Ledger.Executions.Count(e => e.Tag?.StartsWith("running-", StringComparison.Ordinal) == true) == 2, "two long jobs run");
        }

        // Everything is down now; let the delayed jobs' time pass while it is.
        await Task.Delay(TimeSpan.FromMilliseconds(400), TestContext.Current.CancellationToken);

        var (reopened, _) = RealServers.RedisStore(options.KeyPrefix);
        await using var second = await WorkersCluster.StartAsync(silos: 2, store: RealServers.Recording(reopened), state: state);
        var stats = await second.Queue("q-restart").GetStats();
        Assert.Equal(7, stats.Waiting + stats.Delayed + stats.Active);

        // The worker was running when the cluster stopped: it comes back by itself. The blocked jobs are
        // cancelled so they end; the delayed ones run once.
        await Eventually.Get(() => second.Worker("restart-worker").GetStatus(), s => s.Replicas.Any(r => r.State == ReplicaState.Running), "the worker resumes");
        foreach (var ack in acks.Take(4))
        {
            await second.Queue("q-restart").Cancel(ack.JobId);
        }

        foreach (var ack in acks.Skip(4))
        {
            await second.WaitForState("q-restart", ack.JobId, JobState.Completed);
            Assert.Equal(1, second.Ledger.StartsOf(ack.JobId));
        }

        foreach (var ack in acks.Take(4))
        {
            Assert.Equal(JobState.Cancelled, (await second.Queue("q-restart").GetJob(ack.JobId))!.State);
        }
    }

    [Fact]
    public async Task RedisRestart_MidRun_ProducersSeeErrorsOrSuccess_AndEveryAcknowledgedJobSurvives()
    {
        // A Redis of this test's own: the shared one serves the other test projects running beside this one.
        await using var server = await DedicatedRedis.LaunchAsync(TestContext.Current.CancellationToken);
        var (redis, _) = RealServers.RedisStore(configuration: server.Endpoint);
        await using var c = await WorkersCluster.StartAsync(silos: 1, store: RealServers.Recording(redis));
        await c.StartWorker("redis-restart", "q-redis-restart", concurrency: 16);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        int errors = 0;
        using var stop = new CancellationTokenSource();

        var producer = Task.Run(async () =>
        {
            int n = 0;
            while (!stop.IsCancellationRequested && n < 5000)
            {
                try
                {
                    var ack = await c.Enqueue("q-redis-restart", new TestJob { Tag = $"r{n++}" });
                    acknowledged.Add(ack.JobId);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                    await Task.Delay(10, CancellationToken.None);
                }
            }
        }, TestContext.Current.CancellationToken);

        await Eventually.True(() => acknowledged.Count >= 200, "jobs flow before the restart");
        await server.ShutdownAsync(TestContext.Current.CancellationToken);
        await server.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.True(() => acknowledged.Count >= 400, "jobs flow again after the restart", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await producer;

        foreach (var id in acknowledged)
        {
            await c.WaitForState("q-redis-restart", id, JobState.Completed, TimeSpan.FromSeconds(60));
        }

        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
    }
}

using System.Collections.Concurrent;
using StackExchange.Redis;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// The shipped silo host with everything it keeps in Redis on the 3-master Redis Cluster (<c>infra/redis-cluster.sh</c>): the
/// job store, the worker state (Orleans' Redis grain storage), the reminders (Orleans' Redis reminder table) and the audit
/// stream; membership in PostgreSQL. A queue of three partitions, one per master, and a schedule on it, through a kill -9 of
/// the silo and its restart.
/// </summary>
public sealed class SiloOnRedisClusterTests
{
    private const string Prefix = "zt-rc-silo";

    [Fact]
    public async Task AWholeSilo_OnTheCluster_RunsAQueueSpreadOverItsMasters_AndKeepsStateSchedulesAndAuditThroughAKillNine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await RealRedisCluster.ConnectAsync();
        string run = $"{Prefix}-{Guid.NewGuid():N}"[..24];
        var queue = await QueueWithAPartitionOnEachMasterAsync(redis, run);
        var extra = new Dictionary<string, string>
        {
            ["WORKER_PERSISTENCE_DRIVER"] = "redis",
            ["WORKER_PERSISTENCE_REDIS_KEY_PREFIX"] = run + "-state",
            ["SERVICE_ID"] = run,   // the reminders' keys
            ["QUEUE_REDIS_KEY_PREFIX"] = run,
        };
        await using var silo = await SiloProcesses.CreateAsync(RealRedisCluster.Configuration.Split(',')[0], ct, extra: extra);
        try
        {
            await silo.StartAsync(0, ct);
            await silo.PostJson(0, "/api/workers", new { name = "rc-worker", queueName = queue, processor = "demo", concurrency = 16, jobOptions = new { partitions = 3, leaseMs = 3000, attempts = 3, retainCompleted = 20000 } }, ct);
            await silo.PostJson(0, "/api/workers/rc-worker/start", new { }, ct);
            await silo.PostJson(0, "/api/schedules", new { id = "rc-every-second", queue, everyMs = 1000, overlap = "allowAll", catchupWindowMs = 120_000, payload = new { sleepMs = 1, steps = 1 } }, ct);

            var acknowledged = new ConcurrentDictionary<string, bool>();
            await EnqueueAsync(silo, queue, "before", acknowledged, ct);
            await Eventually.True(async () => (await silo.GetJson(0, $"/api/queues/{queue}", ct)).GetProperty("completed").GetInt32() >= 300, "jobs flow", TimeSpan.FromSeconds(60));
            long firedBefore = (await silo.GetJson(0, "/api/schedules/rc-every-second", ct)).GetProperty("schedule").GetProperty("enqueued").GetInt64();

            silo.Kill(0);
            await silo.StartAsync(0, ct);

            // The worker's state and the schedule's reminder came back from the cluster: the worker runs, the schedule fires.
            Assert.Equal("running", (await silo.GetJson(0, "/api/workers/rc-worker", ct)).GetProperty("worker").GetProperty("status").GetString());
            await EnqueueAsync(silo, queue, "after", acknowledged, ct);
            var fired = await Eventually.Get(
                async () => (await silo.GetJson(0, "/api/schedules/rc-every-second", ct)).GetProperty("schedule").GetProperty("enqueued").GetInt64(),
                n => n >= firedBefore + 3,
                "the schedule fires after the restart", TimeSpan.FromSeconds(60));
            await silo.PostJson(0, "/api/schedules/rc-every-second/pause", new { note = "end of the test" }, ct);
            fired = (await silo.GetJson(0, "/api/schedules/rc-every-second", ct)).GetProperty("schedule").GetProperty("enqueued").GetInt64();

            await Eventually.True(
                async () => (await silo.GetJson(0, $"/api/queues/{queue}", ct)) is var q && q.GetProperty("waiting").GetInt32() + q.GetProperty("active").GetInt32() + q.GetProperty("delayed").GetInt32() == 0,
                "every job finishes", TimeSpan.FromSeconds(120));
            var listed = (await silo.CompletedJobsAsync(0, queue, ct)).Select(job => job.GetProperty("id").GetString()!).ToArray();
            var completed = listed.ToHashSet(StringComparer.Ordinal);
            Assert.True(completed.Count == listed.Length, "a job is listed twice");
            var lost = acknowledged.Keys.Where(id => !completed.Contains(id)).ToArray();
            Assert.True(lost.Length == 0, $"{lost.Length} acknowledged jobs did not complete, such as {string.Join(", ", lost.Take(5))}");
            Assert.Equal(fired, completed.Count - acknowledged.Count);   // the rest are the schedule's, each once

            // Each partition's jobs are on its own master.
            foreach (var (key, master) in PartitionKeys(run, queue).Zip(await OwnersAsync(redis, run, queue)))
            {
                Assert.True(await redis.HoldsAsync(master, key), $"{key} is not on {master.EndPoint}");
            }

            var chain = await silo.GetJson(0, "/api/audit/verify", ct);
            Assert.True(chain.GetProperty("valid").GetBoolean(), $"the audit chain does not hold: {chain}");
            Assert.True(chain.GetProperty("checked").GetInt64() >= 8, $"the audit log holds the calls: {chain}");
            await File.AppendAllTextAsync(
                Path.Combine(SiloProcesses.ResultsDirectory, "fault-ledgers.txt"),
                FormattableString.Invariant($"ledger [whole silo on a 3-master Redis Cluster (jobs, worker state, reminders, audit), 3 partitions on 3 masters, kill -9 and restart]: acknowledged={acknowledged.Count} completed={completed.Count - fired} lost={lost.Length} schedule-fired={fired} schedule-jobs-completed={completed.Count - acknowledged.Count} audit-checked={chain.GetProperty("checked").GetInt64()} audit-valid={chain.GetProperty("valid").GetBoolean()}{Environment.NewLine}"),
                ct);
        }
        finally
        {
            // Every key of the run starts with it: the queues' "run:", the state's and audit's "run-state:", the reminders' "run/".
            await redis.DeleteMatchingAsync(run + "*");
        }
    }

    /// <summary>A queue name whose partitions 0, 1 and 2 hash to slots of three different masters (found by trying names in order).</summary>
    private static async Task<string> QueueWithAPartitionOnEachMasterAsync(RealRedisCluster redis, string run)
    {
        for (int n = 0; ; n++)
        {
            string queue = $"rc-q{n}";
            if ((await OwnersAsync(redis, run, queue)).Select(m => m.NodeId).Distinct().Count() == 3)
            {
                return queue;
            }
        }
    }

    private static RedisKey[] PartitionKeys(string run, string queue) => [$"{run}:{{{queue}}}:jobs", $"{run}:{{{queue}#1}}:jobs", $"{run}:{{{queue}#2}}:jobs"];

    private static async Task<ClusterNode[]> OwnersAsync(RealRedisCluster redis, string run, string queue) =>
        await Task.WhenAll(PartitionKeys(run, queue).Select(redis.OwnerAsync));

    /// <summary>300 jobs in three batches of 100, each job with an idempotency key; every acknowledged id is recorded.</summary>
    private static async Task EnqueueAsync(SiloProcesses silo, string queue, string tag, ConcurrentDictionary<string, bool> acknowledged, CancellationToken ct)
    {
        for (int batch = 0; batch < 3; batch++)
        {
            var jobs = Enumerable.Range(0, 100).Select(i => new { payload = new { sleepMs = 2, steps = 1 }, idempotencyKey = $"{tag}-{batch}-{i}" }).ToArray();
            var ack = await silo.PostJson(0, $"/api/queues/{queue}/jobs", jobs, ct);
            foreach (var job in ack.GetProperty("jobs").EnumerateArray())
            {
                acknowledged[job.GetProperty("id").GetString()!] = true;
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>Four real silo processes, two per region (SILO_REGION), on PostgreSQL membership and state and the Redis job
/// store: kill -9 of the whole primary region under load fails the worker over, nothing is lost, and it fails back.</summary>
public sealed class RegionFailoverProcessTests
{
    private const string Queue = "region-q";
    private static readonly string[] Regions = ["us-east", "us-east", "eu-west", "eu-west"];

    private static Dictionary<string, string> In(int silo) => new() { ["SILO_REGION"] = Regions[silo], ["SILO_ZONE"] = $"{Regions[silo]}-{silo % 2 + 1}" };

    [Fact]
    public async Task KillNine_OfEverySiloInThePrimaryRegion_FailsOverWithNothingLost_AndFailsBackAfterTheHold()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct);
        for (int i = 0; i < 4; i++)
        {
            await cluster.StartAsync(i, ct, settings: In(i));
        }

        const int Api = 2;   // the producer and observer talk to a silo of the region that survives
        await Eventually.True(
            async () => (await cluster.GetJson(Api, "/api/datacenters/topology", ct)).GetProperty("regions").EnumerateArray().Count(r => r.GetProperty("healthy").GetBoolean()) == 2,
            "both regions healthy in the topology", TimeSpan.FromSeconds(60));
        await cluster.PostJson(Api, "/api/workers", new { name = "regional", queueName = Queue, processor = "demo", replicas = 2, concurrency = 16, jobOptions = new { leaseMs = 3000, retainCompleted = 20000, attempts = 5 } }, ct);
        await cluster.PutJson(Api, "/api/workers/regional/failover", new { primaryRegion = "us-east", secondaryRegion = "eu-west", healthCheckInterval = 2000, failbackHold = 3000 }, ct);
        await cluster.PostJson(Api, "/api/workers/regional/start", new { }, ct);
        var east = new[] { (await cluster.GetJson(0, "/health", ct)).GetProperty("silo").GetString(), (await cluster.GetJson(1, "/health", ct)).GetProperty("silo").GetString() };
        var replicas = (await cluster.GetJson(Api, "/api/workers/regional/status", ct)).GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("silo").GetString()).ToArray();
        Assert.All(replicas, silo => Assert.Contains(silo, east));

        var acknowledged = new ConcurrentDictionary<string, bool>();
        var producer = Task.Run(
            async () =>
            {
                for (int batch = 0; batch < 10; batch++)
                {
                    int b = batch;
                    var jobs = Enumerable.Range(0, 300).Select(i => new { payload = new { sleepMs = 10, steps = 1 }, idempotencyKey = $"r{b}-{i}" }).ToArray();
                    for (int attempt = 0; ; attempt++)
                    {
                        try
                        {
                            var ack = await cluster.PostJson(Api, $"/api/queues/{Queue}/jobs", jobs, ct);
                            foreach (var job in ack.GetProperty("jobs").EnumerateArray())
                            {
                                acknowledged[job.GetProperty("id").GetString()!] = true;
                            }

                            break;
                        }
                        catch (Exception) when (attempt < 200 && !ct.IsCancellationRequested)
                        {
                            // Not acknowledged: the queue grain may live on a killed us-east silo, and calls to it fail (503
                            // CLUSTER_UNAVAILABLE, "retry") until membership declares it dead. The same idempotency keys make
                            // a retry return the same ids, whether or not the failed attempt was written.
                            await Task.Delay(300, ct);
                        }
                    }

                    await Task.Delay(200, ct);
                }
            },
            ct);

        await Eventually.True(async () => (await cluster.GetJson(Api, $"/api/queues/{Queue}", ct)).GetProperty("completed").GetInt32() >= 300, "jobs flow before the kill", TimeSpan.FromSeconds(60));
        var killedAt = DateTimeOffset.UtcNow;
        cluster.Kill(0);
        cluster.Kill(1);
        int inFlight = (await cluster.GetJson(Api, $"/api/queues/{Queue}", ct)).GetProperty("active").GetInt32();

        var failedOver = await Eventually.Get(
            async () => (await cluster.GetJson(Api, "/api/workers/regional/placement", ct)).GetProperty("placement"),
            p => p.GetProperty("region").GetString() == "eu-west",
            "the replicas moved to eu-west", TimeSpan.FromSeconds(120));
        var move = failedOver.GetProperty("moves").EnumerateArray().Last();
        var movedAfter = move.GetProperty("at").GetDateTimeOffset() - killedAt;
        Assert.Equal(("failover", "us-east", "secondary"), (move.GetProperty("kind").GetString(), move.GetProperty("from").GetString(), failedOver.GetProperty("failoverState").GetString()));
        // The interval (2 s) plus a bound: membership declaring the killed silos dead (probes, about 15 s by default) and checks.
        Assert.InRange(movedAfter, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(90));

        await producer;
        Assert.Equal(3000, acknowledged.Count);
        await Eventually.True(async () => (await cluster.GetJson(Api, $"/api/queues/{Queue}", ct)).GetProperty("completed").GetInt32() >= acknowledged.Count, "every acknowledged job completes", TimeSpan.FromMinutes(3));
        var completed = (await cluster.CompletedJobsAsync(2, Queue, ct)).ToDictionary(job => job.GetProperty("id").GetString()!, job => job.GetProperty("stalls").GetInt32());
        Assert.True(acknowledged.Keys.ToHashSet().SetEquals(completed.Keys), "the completed jobs are exactly the acknowledged ones");
        int rerun = completed.Values.Count(stalls => stalls > 0);
        Assert.True(rerun <= inFlight + 32, $"{rerun} jobs ran again; {inFlight} were active when the region died (2 replicas x 16 slots may have leased more since)");
        var topology = await cluster.GetJson(Api, "/api/datacenters/topology", ct);
        var regions = topology.GetProperty("regions").EnumerateArray().ToDictionary(r => r.GetProperty("region").GetProperty("id").GetString()!);
        Assert.False(regions["us-east"].GetProperty("healthy").GetBoolean());
        Assert.Equal(["dead", "dead"], regions["us-east"].GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Equal(2, regions["eu-west"].GetProperty("replicas").GetProperty("regional").GetInt32());

        // The primary region comes back: after the hold the replicas go home.
        var restartedAt = DateTimeOffset.UtcNow;
        await cluster.StartAsync(0, ct, settings: In(0));
        await cluster.StartAsync(1, ct, settings: In(1));
        var back = await Eventually.Get(
            async () => (await cluster.GetJson(Api, "/api/workers/regional/placement", ct)).GetProperty("placement"),
            p => p.GetProperty("region").GetString() == "us-east",
            "the replicas failed back to us-east", TimeSpan.FromSeconds(120));
        var failback = back.GetProperty("moves").EnumerateArray().Last();
        Assert.Equal("failback", failback.GetProperty("kind").GetString());
        Assert.True(failback.GetProperty("at").GetDateTimeOffset() - restartedAt >= TimeSpan.FromSeconds(3), "the fail-back waited for the hold");
        var home = await Eventually.Get(
            async () => (await cluster.GetJson(Api, "/api/workers/regional/status", ct)).GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("silo").GetString()).ToArray(),
            silos => silos.Length == 2,
            "two replicas run", TimeSpan.FromSeconds(30));
        var eastAgain = new[] { (await cluster.GetJson(0, "/health", ct)).GetProperty("silo").GetString(), (await cluster.GetJson(1, "/health", ct)).GetProperty("silo").GetString() };
        Assert.All(home, silo => Assert.Contains(silo, eastAgain));
        await File.AppendAllTextAsync(
            Path.Combine(SiloProcesses.ResultsDirectory, "fault-ledgers.txt"),
            FormattableString.Invariant($"ledger [kill -9 of a whole region (2 of 4 silos), failover and fail-back]: acknowledged={acknowledged.Count} completed={completed.Count} lost={acknowledged.Keys.Count(k => !completed.ContainsKey(k))} re-runs={rerun} active-at-kill={inFlight} failover-after-kill={movedAfter.TotalSeconds:0.0}s{Environment.NewLine}"),
            ct);
    }
}

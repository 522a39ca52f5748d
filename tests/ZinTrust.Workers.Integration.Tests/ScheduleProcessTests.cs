using System.Globalization;
using System.Text.Json;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>A schedule firing every second on three real silo processes (PostgreSQL membership and state, the Redis job store),
/// while the silo holding it is killed twice: every occurrence runs once, none is missed.</summary>
public sealed class ScheduleProcessTests
{
    private const string Queue = "sched-kill-q";
    private const string Id = "every-second";

    [Fact]
    public async Task KillNine_OfTheSiloHoldingASchedule_Twice_EachOccurrenceRunsOnce_AndNoneIsMissed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct);
        for (int i = 0; i < 3; i++)
        {
            await cluster.StartAsync(i, ct);
        }

        await cluster.PostJson(0, "/api/workers", new { name = "sched-runner", queueName = Queue, processor = "demo", replicas = 2, concurrency = 8, jobOptions = new { leaseMs = 3000, retainCompleted = 20000 } }, ct);
        await cluster.PostJson(0, "/api/workers/sched-runner/start", new { }, ct);
        await cluster.PostJson(0, "/api/schedules", new { id = Id, queue = Queue, everyMs = 1000, overlap = "allowAll", catchupWindowMs = 120_000, payload = new { sleepMs = 10, steps = 1 } }, ct);

        var silos = new Dictionary<string, int>();
        for (int i = 0; i < 3; i++)
        {
            silos[(await cluster.GetJson(i, "/health", ct)).GetProperty("silo").GetString()!] = i;
        }

        var kills = new List<(DateTimeOffset At, string Holder)>();
        for (int round = 0; round < 2; round++)
        {
            long before = 0;
            var holding = await Eventually.Get(
                async () => (await cluster.GetJson(round, "/api/schedules/" + Id, ct)).GetProperty("schedule"),
                s => (before = s.GetProperty("enqueued").GetInt64()) >= 5 * (round + 1),
                "the schedule fires", TimeSpan.FromSeconds(60));
            var holder = holding.GetProperty("silo").GetString()!;
            int victim = silos[holder];
            int api = Enumerable.Range(0, 3).First(i => i != victim);
            cluster.Kill(victim);
            kills.Add((DateTimeOffset.UtcNow, holder));

            // Another silo takes the schedule over and it goes on firing.
            await Eventually.True(
                async () => (await cluster.GetJson(api, "/api/schedules/" + Id, ct)).GetProperty("schedule") is var s
                    && s.GetProperty("silo").GetString() != holder && s.GetProperty("enqueued").GetInt64() >= before + 3,
                "another silo holds the schedule and it fires", TimeSpan.FromSeconds(120));
            await cluster.StartAsync(victim, ct);
            silos[(await cluster.GetJson(victim, "/health", ct)).GetProperty("silo").GetString()!] = victim;
        }

        var paused = (await cluster.PostJson(0, $"/api/schedules/{Id}/pause", new { note = "end of the test" }, ct)).GetProperty("schedule");
        await Eventually.True(
            async () => (await cluster.GetJson(0, $"/api/queues/{Queue}", ct)) is var q && q.GetProperty("waiting").GetInt32() + q.GetProperty("active").GetInt32() + q.GetProperty("delayed").GetInt32() == 0,
            "every scheduled job finishes", TimeSpan.FromSeconds(60));

        // The ledger: one job per occurrence key, no gap between the first and the last occurrence, none counted missed.
        var jobs = await cluster.CompletedJobsAsync(0, Queue, ct);

        static long OccurrenceOf(JsonElement job) => long.Parse(job.GetProperty("idempotencyKey").GetString()!.Split(':')[2], CultureInfo.InvariantCulture);
        var occurrences = jobs.Select(OccurrenceOf).ToArray();
        int duplicated = occurrences.Length - occurrences.Distinct().Count();
        long span = (occurrences.Max() - occurrences.Min()) / 1000 + 1;
        long gaps = span - occurrences.Distinct().Count();
        var lateness = jobs.Max(j => j.GetProperty("createdAt").GetDateTimeOffset() - DateTimeOffset.FromUnixTimeMilliseconds(OccurrenceOf(j)));
        long missed = paused.GetProperty("missed").GetInt64();
        await File.AppendAllTextAsync(
            Path.Combine(SiloProcesses.ResultsDirectory, "fault-ledgers.txt"),
            FormattableString.Invariant($"ledger [schedule every 1 s, kill -9 of the silo holding it, twice]: occurrences={span} jobs={jobs.Count} duplicated={duplicated} gaps={gaps} missed={missed} enqueued-counter={paused.GetProperty("enqueued").GetInt64()} latest-fire-after-occurrence={lateness.TotalSeconds:0.0}s{Environment.NewLine}"),
            ct);

        Assert.Equal(2, kills.Count);
        // (The enqueued counter may trail the jobs by the occurrences a dying silo enqueued but could not record: the next
        // holder fired them again and got the same job. The jobs are the ledger.)
        Assert.Equal((0, 0L, 0L), (duplicated, gaps, missed));
    }
}

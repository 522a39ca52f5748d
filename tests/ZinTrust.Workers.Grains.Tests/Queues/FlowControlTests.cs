using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>A queue's limits hold across silos and replicas: one queue grain grants every lease.</summary>
public sealed class FlowControlTests
{
    [Fact]
    public async Task GlobalConcurrency_BoundsTheJobsRunningAtOnce_AcrossReplicasOnTwoSilos()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        await c.StartWorker("limited", "limited-q", concurrency: 10, replicas: 3, jobOptions: new JobOptions { GlobalConcurrency = 4 });
        var ids = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            ids.Add((await c.Enqueue("limited-q", new TestJob { SleepMs = 150 })).JobId);
        }

        foreach (var id in ids)
        {
            await c.WaitForState("limited-q", id, JobState.Completed);
        }

        // 30 slots in the replicas; never more than 4 ran, and the first lease alone took 4.
        Assert.Equal(4, c.Ledger.MaxConcurrent);
        var stats = await c.Queue("limited-q").GetStats();
        Assert.Equal(4, stats.Limits!.GlobalConcurrency);
    }

    [Fact]
    public async Task RateLimit_GrantsAtMostMaxStartsInAnyWindow_AndTheRestWait()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        var rate = new RateLimit { Max = 5, Duration = TimeSpan.FromSeconds(1) };
        await c.StartWorker("throttled", "throttled-q", concurrency: 10, replicas: 3, jobOptions: new JobOptions { RateLimit = rate });
        var ids = new List<string>();
        for (int i = 0; i < 15; i++)
        {
            ids.Add((await c.Enqueue("throttled-q", new TestJob())).JobId);
        }

        var held = await Eventually.Get(() => c.Queue("throttled-q").GetStats(), s => s.Limits?.RateLimitedUntil is not null, "the rate window fills");
        Assert.Equal(rate, held.Limits!.RateLimit);
        var started = new List<DateTimeOffset>();
        foreach (var id in ids)
        {
            started.Add((await c.WaitForState("throttled-q", id, JobState.Completed)).StartedAt!.Value);
        }

        // Lease times, by the queue's clock: any six consecutive grants span at least the window.
        started.Sort();
        for (int i = 0; i + rate.Max < started.Count; i++)
        {
            Assert.True(started[i + rate.Max] - started[i] >= rate.Duration, $"grants {i} and {i + rate.Max} are {started[i + rate.Max] - started[i]} apart");
        }

        Assert.True(started[^1] - started[0] >= 2 * rate.Duration, "15 starts at 5 a second take two windows at least");
        Assert.Empty(await c.Queue("throttled-q").ListJobs(JobState.Failed, 0, 10));   // held back, never failed
    }

    [Fact]
    public async Task GlobalConcurrency_HoldsAfterTheSiloHoldingTheQueueDies_AndEveryJobEndsOnce()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3);
        await c.StartWorker("limited-kill", "limited-kill-q", concurrency: 10, replicas: 3, jobOptions: new JobOptions { GlobalConcurrency = 3, LeaseDuration = TimeSpan.FromSeconds(2) });
        var ids = new List<string>();
        for (int i = 0; i < 18; i++)
        {
            ids.Add((await c.Enqueue("limited-kill-q", new TestJob { SleepMs = 200 })).JobId);
        }

        await Eventually.True(() => c.Ledger.Executions.Count >= 3, "jobs are running");
        var host = await c.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(c.Queue("limited-kill-q"), TestContext.Current.CancellationToken);
        await c.Cluster.KillSiloAsync(c.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)), TestContext.Current.CancellationToken);

        var jobs = new List<JobRecord>();
        foreach (var id in ids)
        {
            jobs.Add(await c.WaitForState("limited-kill-q", id, JobState.Completed, TimeSpan.FromSeconds(60)));
        }

        // Ledger: lost 0, double-terminal 0 (no dead letters), re-runs at most the 3 leases held at the kill; by the queue's
        // clock never more than 3 leases at once, before or after the queue moved (a lease of the dead silo counts until it
        // expires, so the new activation grants fewer meanwhile, never more).
        Assert.Empty(await c.Queue("limited-kill-q").ListJobs(JobState.Failed, 0, 10));
        Assert.InRange(c.Ledger.Executions.Count - ids.Count, 0, 3);
        Assert.InRange(JobIntervals.MostAtOnce(jobs), 1, 3);
    }
}

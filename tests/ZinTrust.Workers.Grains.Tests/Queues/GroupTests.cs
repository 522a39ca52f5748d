using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Job groups: lanes take turns, so one group's backlog does not starve another's jobs, and each group's limit holds
/// across silos and replicas, also when the silo holding the queue dies.</summary>
public sealed class GroupTests
{
    [Fact]
    public async Task Groups_TakeTurns_SoASmallGroupIsNotStarvedBehindABigBacklog()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var worker = await c.StartWorker("fair", "fair-q", concurrency: 1);
        await c.Queue("fair-q").Pause();
        var big = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            big.Add((await c.Enqueue("fair-q", new TestJob { Tag = "big" }, group: "tenant-big")).JobId);
        }

        var small = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            small.Add((await c.Enqueue("fair-q", new TestJob { Tag = "small" }, group: "tenant-small")).JobId);
        }

        var loose = (await c.Enqueue("fair-q", new TestJob { Tag = "none" })).JobId;
        Assert.Equal(2, (await c.Queue("fair-q").GetStats()).Limits!.Groups);
        await c.Queue("fair-q").Resume();

        foreach (var id in big.Concat(small).Append(loose))
        {
            await c.WaitForState("fair-q", id, JobState.Completed);
        }

        // One slot, so one job at a time, in the order the queue leased them. FIFO would start the small group's jobs 21st to
        // 23rd; by turns (the lane without a group, then each group) they are among the first three rounds of three.
        var order = c.Ledger.Executions.Select(e => e.Tag).ToList();
        Assert.Equal(24, order.Count);
        Assert.Equal(["none", "big", "small", "big", "small", "big", "small", "big", "big"], order.Take(9));
        Assert.Null((await c.Queue("fair-q").GetStats()).Limits);   // no group has jobs left, and the queue sets no limit
        await worker.Stop();
    }

    [Fact]
    public async Task GroupConcurrency_BoundsEachGroup_AcrossReplicasOnTwoSilos_WhileGroupsRunSideBySide()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        await c.StartWorker("grouped", "grouped-q", concurrency: 10, replicas: 3, jobOptions: new JobOptions { GroupConcurrency = 2 });
        var ids = new List<string>();
        foreach (var group in new[] { "a", "b", "c" })
        {
            for (int i = 0; i < 8; i++)
            {
                ids.Add((await c.Enqueue("grouped-q", new TestJob { SleepMs = 100, Tag = group }, group: group)).JobId);
            }
        }

        var jobs = new List<JobRecord>();
        foreach (var id in ids)
        {
            jobs.Add(await c.WaitForState("grouped-q", id, JobState.Completed));
        }

        // By the queue's clock (one grain grants and ends every lease): never more than two of a group active at once, and
        // the groups ran beside each other (the limit is per group, not for the queue).
        foreach (var group in jobs.GroupBy(j => j.Group))
        {
            Assert.True(JobIntervals.MostAtOnce(group) <= 2, $"group {group.Key} had {JobIntervals.MostAtOnce(group)} jobs active at once");
            Assert.Equal(8, c.Ledger.Executions.Count(e => e.Tag == group.Key));   // each ran once
        }

        Assert.True(JobIntervals.MostAtOnce(jobs) >= 3, $"the groups never ran side by side ({JobIntervals.MostAtOnce(jobs)} at once at most)");
        var stats = await c.Queue("grouped-q").GetStats();
        Assert.Equal(2, stats.Limits!.GroupConcurrency);
        Assert.Equal(0, stats.Limits.Groups);
    }

    [Fact]
    public async Task GroupConcurrency_HoldsAfterTheSiloHoldingTheQueueDies_AndEveryJobEndsOnce()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3);
        await c.StartWorker("grouped-kill", "grouped-kill-q", concurrency: 10, replicas: 3, jobOptions: new JobOptions { GroupConcurrency = 2, LeaseDuration = TimeSpan.FromSeconds(2) });
        var ids = new List<string>();
        foreach (var group in new[] { "a", "b" })
        {
            for (int i = 0; i < 10; i++)
            {
                ids.Add((await c.Enqueue("grouped-kill-q", new TestJob { SleepMs = 200, Tag = group }, group: group)).JobId);
            }
        }

        await Eventually.True(() => c.Ledger.Executions.Count >= 4, "jobs are running");
        var host = await c.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(c.Queue("grouped-kill-q"), TestContext.Current.CancellationToken);
        var victim = c.Cluster.Silos.Single(s => s.SiloAddress.Equals(host));
        await c.Cluster.KillSiloAsync(victim, TestContext.Current.CancellationToken);

        var jobs = new List<JobRecord>();
        foreach (var id in ids)
        {
            jobs.Add(await c.WaitForState("grouped-kill-q", id, JobState.Completed, TimeSpan.FromSeconds(60)));
        }

        // Ledger: lost 0 (every job completed), double-terminal 0 (none also dead-lettered or cancelled); the runs cut short on
        // the dead silo ran again (re-runs are at most the slots the dead silo's replica held); no group ever had more than
        // two leases at once, before or after the queue moved.
        Assert.All(jobs, j => Assert.Equal(JobState.Completed, j.State));
        Assert.Empty(await c.Queue("grouped-kill-q").ListJobs(JobState.Failed, 0, 10));
        int reruns = c.Ledger.Executions.Count - ids.Count;
        Assert.InRange(reruns, 0, 10);
        foreach (var group in jobs.GroupBy(j => j.Group))
        {
            Assert.True(JobIntervals.MostAtOnce(group) <= 2, $"group {group.Key} had {JobIntervals.MostAtOnce(group)} jobs active at once");
        }
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Faults: killed silos, zombies, store outages. Each test owns its cluster.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task KilledSilo_HoldingLeases_JobsRunAgainElsewhere_AndEndInExactlyOneTerminalState()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3);
        var options = new JobOptions { LeaseDuration = TimeSpan.FromSeconds(3) };
        var worker = await c.StartWorker("kill-worker", "q-kill", concurrency: 4, jobOptions: options);
        var acks = await c.Queue("q-kill").EnqueueBatch(Enumerable.Range(0, 40)
            .Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { SleepMs = 300, Tag = $"k{i}" }) })
            .ToArray());
        await Eventually.True(() => c.Ledger.Executions.Count >= 4, "the replica is busy");

        var status = await worker.GetStatus();
        var replicaSilo = status.Replicas.Single().Silo;
        var victim = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == replicaSilo);
        await c.Cluster.KillSiloAsync(victim, TestContext.Current.CancellationToken);

        // The leases the dead replica held are exactly the jobs in flight on the killed silo.
        var inFlightOnVictim = (await c.Queue("q-kill").ListJobs(JobState.Active, 0, 1000)).Select(j => j.Id).ToHashSet();
        Assert.NotEmpty(inFlightOnVictim);

        foreach (var ack in acks)
        {
            await c.WaitForState("q-kill", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(60));
        }

        var rerun = acks.Select(a => a.JobId).Where(id => c.Ledger.StartsOf(id) > 1).ToArray();
        Assert.All(rerun, id => Assert.Contains(id, inFlightOnVictim));
        Assert.NotEmpty(rerun);
        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
        Assert.Contains((await worker.GetStatus()).Replicas, r => r.Silo != replicaSilo && r.State == ReplicaState.Running);
    }

    [Fact]
    public async Task ZombieCompletion_WithAStaleLeaseToken_IsRejected_AndNeverOverwritesTheNewerAttempt()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-zombie");
        await queue.SetPolicy(new JobOptions { LeaseDuration = TimeSpan.FromSeconds(5), MaxStalls = 3 });
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = "{}" });

        var first = (await queue.Lease("zombie/0", 1)).Single();
        c.Clock!.Advance(TimeSpan.FromSeconds(6));
        await c.WaitForState("q-zombie", ack.JobId, JobState.Waiting);
        var second = (await queue.Lease("healthy/0", 1)).Single();
        Assert.True(second.LeaseToken > first.LeaseToken);

        var zombie = await queue.Report("zombie/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = first.LeaseToken, Kind = JobOutcomeKind.Completed, Result = "\"zombie\"" }]);
        Assert.Equal([AckStatus.StaleLease], zombie);
        Assert.Equal([new JobLeaseRef(ack.JobId, first.LeaseToken)], (await queue.RenewLeases("zombie/0", [new JobLeaseRef(ack.JobId, first.LeaseToken)])).Lost);

        var real = await queue.Report("healthy/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = second.LeaseToken, Kind = JobOutcomeKind.Completed, Result = "\"real\"" }]);
        Assert.Equal([AckStatus.Accepted], real);
        var late = await queue.Report("zombie/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = first.LeaseToken, Kind = JobOutcomeKind.Failed, Error = "late" }]);
        Assert.Equal([AckStatus.AlreadyFinished], late);

        var job = await queue.GetJob(ack.JobId);
        Assert.Equal(JobState.Completed, job!.State);
        Assert.Equal("\"real\"", job.Result);
        Assert.Equal(1, job.Stalls);
        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
    }

    [Fact]
    public async Task ExpiredLeases_BeyondMaxStalls_DeadLetterTheJobAsStalled()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-stall");
        await queue.SetPolicy(new JobOptions { LeaseDuration = TimeSpan.FromSeconds(5), MaxStalls = 1 });
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = "{}" });

        Assert.Single(await queue.Lease("hung/0", 1));
        c.Clock!.Advance(TimeSpan.FromSeconds(5));
        var back = await c.WaitForState("q-stall", ack.JobId, JobState.Waiting);
        Assert.Equal(1, back.Stalls);
        Assert.Equal(0, back.Attempt);

        Assert.Single(await queue.Lease("hung/0", 1));
        c.Clock.Advance(TimeSpan.FromSeconds(5));
        var dead = await c.WaitForState("q-stall", ack.JobId, JobState.Failed);

        Assert.Equal(JobFailureReasons.Stalled, dead.FailureReason);
        Assert.Equal(2, dead.Stalls);
    }

    [Fact]
    public async Task LongJob_IsKeptAliveByLeaseRenewals()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        await c.StartWorker("long-worker", "q-long", jobOptions: new JobOptions { LeaseDuration = TimeSpan.FromMilliseconds(1500) });

        var ack = await c.Enqueue("q-long", new TestJob { SleepMs = 4000 });
        var job = await c.WaitForState("q-long", ack.JobId, JobState.Completed);

        Assert.Equal(0, job.Stalls);
        Assert.Equal(1, job.Attempt);
        Assert.Equal(1, c.Ledger.StartsOf(ack.JobId));
    }

    [Fact]
    public async Task StoreOutage_FailsProducers_AndNeverAcknowledgesAJobThatIsThenMissing()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-outage");
        await queue.Pause();
        var before = await c.Enqueue("q-outage", new TestJob { Tag = "before" });

        c.Store.Failing = true;
        var error = await Assert.ThrowsAsync<WorkersException>(() => c.Enqueue("q-outage", new TestJob { Tag = "during" }));
        Assert.Equal(WorkersErrorCodes.QueueUnavailable, error.Code);

        c.Store.Failing = false;
        var after = await Eventually.Get(
            async () =>
            {
                try
                {
                    return await c.Enqueue("q-outage", new TestJob { Tag = "after" });
                }
                catch (WorkersException)
                {
                    return null;
                }
            },
            r => r is not null,
            "the queue reloads and accepts again");

        var stats = await queue.GetStats();
        Assert.Equal(2, stats.Waiting);
        Assert.True(stats.Paused);
        Assert.NotNull(await queue.GetJob(before.JobId));
        Assert.NotNull(await queue.GetJob(after!.JobId));
        Assert.Equal(2, c.Store.Count("q-outage"));
    }
}

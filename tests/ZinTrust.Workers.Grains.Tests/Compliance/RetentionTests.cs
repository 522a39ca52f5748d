using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Retention (WORKER_DATA_RETENTION): finished jobs and dead letters past it are deleted in every queue; nothing
/// younger, and nothing unsettled, whatever its age.</summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task Retention_DeletesFinishedJobsAndDeadLettersPastIt_InEveryQueue_AndNothingElse()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w => w.ConfigureCompliance(o => o.DataRetention = TimeSpan.FromDays(2)));
        var clock = c.Clock!;
        var old = new List<string>();
        foreach (var name in new[] { "q-retain-a", "q-retain-b" })
        {
            var queue = c.Queue(name);
            var done = await queue.Enqueue(new EnqueueRequest { Payload = "1", Attempts = 1 });
            var dead = await queue.Enqueue(new EnqueueRequest { Payload = "2", Attempts = 1 });
            var leases = await queue.Lease("r/0", 2);
            await queue.Report("r/0",
            [
                new JobOutcome { JobId = done.JobId, LeaseToken = leases.Single(l => l.JobId == done.JobId).LeaseToken, Kind = JobOutcomeKind.Completed },
                new JobOutcome { JobId = dead.JobId, LeaseToken = leases.Single(l => l.JobId == dead.JobId).LeaseToken, Kind = JobOutcomeKind.Failed, Error = "x" },
            ]);
            old.Add(done.JobId);
            old.Add(dead.JobId);
        }

        var ancientWaiting = await c.Queue("q-retain-a").Enqueue(new EnqueueRequest { Payload = "3" });
        clock.Advance(TimeSpan.FromDays(3));
        var recent = await c.Queue("q-retain-a").Enqueue(new EnqueueRequest { Payload = "4", Attempts = 1 });
        var lease = Assert.Single(await c.Queue("q-retain-a").Lease("r/0", 2), l => l.JobId == recent.JobId);
        await c.Queue("q-retain-a").Report("r/0", [new JobOutcome { JobId = recent.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Completed }]);

        var run = await c.Client.GetGrain<IComplianceGrain>(0).RunRetention();

        Assert.Equal(4, run.Deleted);
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromDays(2), run.Cutoff);
        Assert.Empty(run.FailedQueues);
        foreach (var id in old)
        {
            Assert.Null(await c.Queue(id == old[0] || id == old[1] ? "q-retain-a" : "q-retain-b").GetJob(id));
        }

        Assert.Equal(JobState.Completed, (await c.Queue("q-retain-a").GetJob(recent.JobId))!.State);
        Assert.NotNull(await c.Queue("q-retain-a").GetJob(ancientWaiting.JobId));
        var recorded = (await c.Client.GetGrain<IComplianceGrain>(0).GetStatus()).Retention!;
        Assert.Equal((run.At, run.Deleted, run.Queues), (recorded.At, recorded.Deleted, recorded.Queues));
    }

    [Fact]
    public async Task Retention_WhenOff_IsRefused_WithAStableCode()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.ConfigureCompliance(o => o.DataRetention = null));
        var error = await Assert.ThrowsAsync<WorkersException>(() => c.Client.GetGrain<IComplianceGrain>(0).RunRetention());
        Assert.Equal(WorkersErrorCodes.RetentionDisabled, error.Code);
        var encryption = await Assert.ThrowsAsync<WorkersException>(() => c.Client.GetGrain<IComplianceGrain>(0).StartReencryption());
        Assert.Equal(WorkersErrorCodes.EncryptionDisabled, encryption.Code);
    }
}

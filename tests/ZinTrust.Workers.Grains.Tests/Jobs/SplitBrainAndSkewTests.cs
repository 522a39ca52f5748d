using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Two activations of one queue writing at once, and silos whose clocks disagree.</summary>
public sealed class SplitBrainAndSkewTests
{
    [Fact]
    public async Task TwoActivationsOfOneQueue_TheOlderIsFenced_AndNothingItCouldNotWriteIsAcknowledged()
    {
        // Two clusters on one store: each activates the queue, as two halves of a partitioned cluster would.
        var store = new RecordingJobStore();
        await using var left = await WorkersCluster.StartAsync(silos: 1, store: store);
        await using var right = await WorkersCluster.StartAsync(silos: 1, store: store);
        var older = left.Queue("q-split");
        var newer = right.Queue("q-split");
        var acknowledged = new List<string>
        {
            (await older.Enqueue(new EnqueueRequest { Payload = "[1]" })).JobId,
            (await newer.Enqueue(new EnqueueRequest { Payload = "[2]" })).JobId,   // claims the queue
        };

        var fenced = await Assert.ThrowsAsync<WorkersException>(() => older.Enqueue(new EnqueueRequest { Payload = "[3]" }));
        Assert.Equal(WorkersErrorCodes.QueueUnavailable, fenced.Code);
        acknowledged.Add((await newer.Enqueue(new EnqueueRequest { Payload = "[4]" })).JobId);

        // The fenced side reloads (claiming the queue in turn) and sees every acknowledged job, and nothing else.
        var reloaded = await Eventually.Get(
            async () =>
            {
                try
                {
                    return await older.ListJobs(JobState.Waiting, 0, 10);
                }
                catch (WorkersException)
                {
                    return null;
                }
            },
            jobs => jobs is not null,
            "the fenced activation reloads");
        Assert.Equal(acknowledged, reloaded!.Select(j => j.Id));
        Assert.Equal(["[1]", "[2]", "[4]"], reloaded!.Select(j => j.Payload));
        await Assert.ThrowsAsync<WorkersException>(() => newer.Enqueue(new EnqueueRequest { Payload = "[5]" }));

        // Every accepted write carried the newest claim at its time: epochs never go back.
        var epochs = store.Commits.Where(c => c.Queue == "q-split").Select(c => c.Epoch).ToArray();
        Assert.Equal(epochs.Order(), epochs);
        Assert.Equal(3, store.Count("q-split"));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(-30)]
    public async Task ASiloWhoseClockIsOff_ByThirtySeconds_CausesNoSpuriousLeaseExpiry(int skewSeconds)
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2, silo: (name, silo) =>
        {
            if (name.EndsWith('0'))
            {
                silo.Services.AddKeyedSingleton<TimeProvider>(WorkersClock.Key, new OffsetTimeProvider(TimeSpan.FromSeconds(skewSeconds)));
            }
        });
        await c.StartWorker("skew-worker", "q-skew", concurrency: 3, replicas: 2, jobOptions: new JobOptions { LeaseDuration = TimeSpan.FromSeconds(2) });
        var status = await c.Worker("skew-worker").GetStatus();
        Assert.Equal(2, status.Replicas.Select(r => r.Silo).Distinct().Count());   // one replica per silo: one of them is skewed

        var acks = await c.Queue("q-skew").EnqueueBatch([.. Enumerable.Range(0, 6).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { SleepMs = 5000, Tag = $"skew{i}" }) })]);

        foreach (var ack in acks)
        {
            var job = await c.WaitForState("q-skew", ack.JobId, JobState.Completed);
            Assert.Equal(0, job.Stalls);
            Assert.Equal(1, c.Ledger.StartsOf(ack.JobId));
        }

        Assert.Equal(0, (await c.Queue("q-skew").GetStats()).Counters.Stalled);
    }
}

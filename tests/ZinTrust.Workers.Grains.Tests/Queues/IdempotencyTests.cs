using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Idempotency keys are remembered for their window, independently of how long retention keeps their jobs.</summary>
public sealed class IdempotencyTests
{
    private static EnqueueRequest Keyed(string key, string payload = """{"order":42}""") => new() { Payload = payload, IdempotencyKey = key };

    [Fact]
    public async Task AKey_OutlivesItsJob_SoARetryAfterRetentionDeletedTheJob_GetsTheSameJobBack()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-idem-retention");
        await queue.SetPolicy(new JobOptions { RetainCompleted = 0 });
        var first = await queue.Enqueue(Keyed("order-42"));
        var lease = Assert.Single(await queue.Lease("r/0", 1));
        await queue.Report("r/0", [new JobOutcome { JobId = first.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Completed, Result = "1" }]);
        Assert.Null(await queue.GetJob(first.JobId));

        // The client never saw its answer and retries.
        var retry = await queue.Enqueue(Keyed("order-42"));

        Assert.Equal(first.JobId, retry.JobId);
        Assert.False(retry.Created);
        Assert.Equal(JobState.Completed, retry.State);
        Assert.Equal(0, c.Store.Count("q-idem-retention"));
        Assert.Equal(0, (await queue.GetStats()).Waiting);
    }

    [Fact]
    public async Task AKey_IsRememberedAcrossReloads_AndForgottenAfterItsWindow()
    {
        var store = new RecordingJobStore();
        string jobId;
        await using (var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, store: store))
        {
            var queue = c.Queue("q-idem-window");
            await queue.SetPolicy(new JobOptions { RetainCompleted = 0, IdempotencyTtl = TimeSpan.FromMinutes(10) });
            jobId = (await queue.Enqueue(Keyed("k"))).JobId;
            Assert.Equal(CancelResult.Cancelled, await queue.Cancel(jobId));
        }

        await using var again = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, store: store);
        var reloaded = again.Queue("q-idem-window");
        var retry = await reloaded.Enqueue(Keyed("k"));
        Assert.Equal((jobId, false, JobState.Cancelled), (retry.JobId, retry.Created, retry.State));

        again.Clock!.Advance(TimeSpan.FromMinutes(11));
        var fresh = await reloaded.Enqueue(Keyed("k", """{"order":43}"""));
        Assert.True(fresh.Created);
        Assert.NotEqual(jobId, fresh.JobId);
    }

    [Fact]
    public async Task AKeyUsedAgain_WithADifferentBody_IsRefused_AndCreatesNothing()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-idem-reuse");
        var first = await queue.Enqueue(Keyed("pay-7"));

        var payload = await Assert.ThrowsAsync<WorkersException>(() => queue.Enqueue(Keyed("pay-7", """{"order":99}""")));
        var options = await Assert.ThrowsAsync<WorkersException>(() => queue.Enqueue(Keyed("pay-7") with { Priority = JobPriority.Critical }));
        var batch = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueBatch([new EnqueueRequest { Payload = "{}" }, Keyed("pay-7", "[]")]));
        var withinBatch = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueBatch([Keyed("new-1"), Keyed("new-1", "[1]")]));

        Assert.All([payload, options, batch, withinBatch], e => Assert.Equal(WorkersErrorCodes.IdempotencyKeyReused, e.Code));
        Assert.Equal(1, (await queue.GetStats()).Waiting);
        Assert.Equal(first.JobId, (await queue.Enqueue(Keyed("pay-7"))).JobId);
        var same = await queue.EnqueueBatch([Keyed("new-2"), Keyed("new-2")]);
        Assert.Equal(same[0].JobId, same[1].JobId);
        Assert.Equal((true, false), (same[0].Created, same[1].Created));
    }

    [Fact]
    public async Task AKeysOwnWindow_ShorterThanTheQueues_IsForgottenWhenItEnds()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-idem-own-window");
        await queue.SetPolicy(new JobOptions { RetainCompleted = 0, IdempotencyTtl = TimeSpan.FromHours(24) });
        var first = await queue.Enqueue(Keyed("retry-key") with { IdempotencyTtl = TimeSpan.FromMinutes(1) });
        Assert.Equal(CancelResult.Cancelled, await queue.Cancel(first.JobId));

        Assert.Equal(first.JobId, (await queue.Enqueue(Keyed("retry-key") with { IdempotencyTtl = TimeSpan.FromMinutes(1) })).JobId);
        c.Clock!.Advance(TimeSpan.FromMinutes(2));
        var later = await queue.Enqueue(Keyed("retry-key") with { IdempotencyTtl = TimeSpan.FromMinutes(1) });

        Assert.True(later.Created);
        Assert.NotEqual(first.JobId, later.JobId);
    }

    [Fact]
    public async Task AKeyOfAJobStillKept_IsRecoveredFromTheJobsRecord_BodyIncluded()
    {
        var store = new RecordingJobStore();
        string jobId;
        await using (var c = await WorkersCluster.StartAsync(silos: 1, store: store))
        {
            jobId = (await c.Queue("q-idem-record").Enqueue(Keyed("kept"))).JobId;
        }

        // Nothing was stored for the key itself: the job's record carries it.
        Assert.DoesNotContain(store.Commits, w => w.Queue == "q-idem-record" && w.Batch.KeyUpserts.Count > 0);
        await using var again = await WorkersCluster.StartAsync(silos: 1, store: store);
        var queue = again.Queue("q-idem-record");
        Assert.Equal((jobId, false), await queue.Enqueue(Keyed("kept")) is var same ? (same.JobId, same.Created) : default);
        var reused = await Assert.ThrowsAsync<WorkersException>(() => queue.Enqueue(Keyed("kept", """{"order":7}""")));
        Assert.Equal(WorkersErrorCodes.IdempotencyKeyReused, reused.Code);
    }
}

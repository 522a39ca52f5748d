using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// The queue's index holds waiting and delayed jobs without their records; leases, promotions, cancels and queries read
/// the records back from the job store. Each test owns its cluster (they reload queues or slow the store down).
/// </summary>
public sealed class StoredRecordTests
{
    private const string Payload = """{"to":"ada@example.com","lines":["caf\u00e9",1,2.5,null,true],"nested":{"deep":[{"x":"\u4e2d\u6587"}]}}""";

    [Fact]
    public async Task WaitingAndDelayedJobs_AreLeasedWithTheirRecordsIntact_AfterTheQueueReactivates()
    {
        var store = new RecordingJobStore();
        EnqueueResult high, low, delayed;
        await using (var first = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, store: store))
        {
            var queue = first.Queue("q-reload");
            high = await queue.Enqueue(new EnqueueRequest { Payload = Payload, Name = "mail", Priority = JobPriority.High, Attempts = 4, Timeout = TimeSpan.FromSeconds(17) });
            low = await queue.Enqueue(new EnqueueRequest { Payload = "[1]", Priority = JobPriority.Low });
            delayed = await queue.Enqueue(new EnqueueRequest { Payload = """{"later":true}""", Delay = TimeSpan.FromSeconds(10) });
        }

        await using var second = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, store: store);
        var again = second.Queue("q-reload");

        var listed = await again.ListJobs(JobState.Waiting, 0, 10);
        Assert.Equal([high.JobId, low.JobId], listed.Select(j => j.Id));
        Assert.Equal([Payload, "[1]"], listed.Select(j => j.Payload));
        Assert.Equal("""{"later":true}""", (await again.GetJob(delayed.JobId))!.Payload);

        var job = Assert.Single(await again.Lease("reader/0", 1));
        Assert.Equal(high.JobId, job.JobId);
        Assert.Equal("q-reload", job.Queue);
        Assert.Equal(Payload, job.Payload);
        Assert.Equal("mail", job.Name);
        Assert.Equal(JobPriority.High, job.Priority);
        Assert.Equal(4, job.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(17), job.Timeout);
        Assert.Equal(1, job.Attempt);
        Assert.True(job.LeaseToken > 0);

        second.Clock!.Advance(TimeSpan.FromSeconds(11));
        await second.WaitForState("q-reload", delayed.JobId, JobState.Waiting);
        var rest = await again.Lease("reader/0", 5);
        Assert.Equal([delayed.JobId, low.JobId], rest.Select(j => j.JobId));   // normal priority before low
        Assert.Equal(["""{"later":true}""", "[1]"], rest.Select(j => j.Payload));

        var stored = await again.GetJob(delayed.JobId);
        Assert.Equal(JobState.Active, stored!.State);
        Assert.Equal("""{"later":true}""", stored.Payload);
        Assert.Null(stored.RunAt);
    }

    [Fact]
    public async Task Lease_WhenTheStoreCannotBeRead_Fails_AndLeavesTheJobWaiting()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-read-outage");
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = Payload });

        c.Store.Failing = true;
        var error = await Assert.ThrowsAsync<WorkersException>(() => queue.Lease("reader/0", 1));
        Assert.Equal(WorkersErrorCodes.QueueUnavailable, error.Code);
        Assert.Equal(1, (await queue.GetStats()).Waiting);

        c.Store.Failing = false;
        var job = Assert.Single(await queue.Lease("reader/0", 1));
        Assert.Equal(ack.JobId, job.JobId);
        Assert.Equal(Payload, job.Payload);
        Assert.True(job.LeaseToken > 0);
    }

    [Fact]
    public async Task Cancel_DuringALeasesRead_WaitsForTheLease_ThenCancelsTheActiveJob_WithOneLeaseOnly()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-read-race");
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = Payload });

        var release = c.Store.HoldNextRead();
        var lease = queue.Lease("reader/0", 1);
        await Eventually.True(() => c.Store.Reads > 0, "the lease reads the job's record");
        var cancel = queue.Cancel(ack.JobId);
        var other = await queue.Lease("other/0", 1);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(cancel.IsCompleted, "the cancel waits while the job is reserved by the lease");
        release();

        var job = Assert.Single(await lease);
        Assert.Empty(other);
        Assert.Equal(ack.JobId, job.JobId);
        Assert.Equal(CancelResult.Cancelled, await cancel);
        Assert.Equal([JobState.Waiting, JobState.Active, JobState.Cancelled], c.Store.History(ack.JobId).Select(r => r.State));
        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
    }

    [Fact]
    public async Task Lease_ReadsTheNextWaitingJobsAhead_SoTheFollowingLeasesNeedNoStoreRead()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-read-ahead");
        var acks = await queue.EnqueueBatch(Enumerable.Range(0, 20).Select(i => new EnqueueRequest { Payload = $$"""{"n":{{i}}}""" }).ToArray());

        var first = await queue.Lease("reader/0", 2);
        int reads = c.Store.Reads;
        var next = await queue.Lease("reader/0", 18);

        Assert.Equal(1, reads);
        Assert.Equal(reads, c.Store.Reads);
        Assert.Equal(acks.Select(a => a.JobId), first.Concat(next).Select(j => j.JobId));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $$"""{"n":{{i}}}"""), first.Concat(next).Select(j => j.Payload));
        var tokens = first.Concat(next).Select(j => j.LeaseToken).ToArray();
        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Length, tokens.Distinct().Count());
    }

    [Fact]
    public async Task ARecordReadAhead_IsDropped_WhenItsJobChangedDuringTheRead()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-read-ahead-stale");
        var acks = await queue.EnqueueBatch([new EnqueueRequest { Payload = "[1]" }, new EnqueueRequest { Payload = "[2]" }]);
        string second = acks[1].JobId;

        // A's read answers with both records (the second read ahead), but the answer is held back...
        var release = c.Store.HoldNextRead();
        var leaseA = queue.Lease("a/0", 1);
        await Eventually.True(() => c.Store.Reads > 0, "lease A's read is answered");

        // ...while B leases the second job and hands it back: it waits again, under a newer lease token.
        var b = Assert.Single(await queue.Lease("b/0", 1));
        Assert.Equal(second, b.JobId);
        Assert.Equal([AckStatus.Accepted], await queue.Report("b/0", [new JobOutcome { JobId = second, LeaseToken = b.LeaseToken, Kind = JobOutcomeKind.Released }]));
        release();
        Assert.Equal(acks[0].JobId, Assert.Single(await leaseA).JobId);

        // The stale copy from A's read (lease token 0) must not be used: the next lease carries a token above B's.
        var again = Assert.Single(await queue.Lease("c/0", 1));
        Assert.Equal(second, again.JobId);
        Assert.True(again.LeaseToken > b.LeaseToken);
        Assert.Equal([0L, b.LeaseToken, b.LeaseToken, again.LeaseToken], c.Store.History(second).Select(r => r.LeaseToken));
    }
}

using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// Leases as the queue grants them: renewals follow what was granted (not what the replica started with), each attempt is
/// its own run on a replica, reports are fenced by token and owner, and tokens keep growing when the store loses writes.
/// </summary>
public sealed class LeaseTests
{
    private static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ALeaseShortenedWhileTheWorkerRuns_IsRenewedInTime_SoALongJobRunsOnce()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        var worker = await c.StartWorker("lease-patch", "q-lease-patch", jobOptions: new JobOptions { LeaseDuration = TimeSpan.FromSeconds(60) });

        // The running replica started with a 60 s lease (renewing every 20 s); the queue now grants 3 s.
        await worker.Update(new WorkerUpdate { JobOptions = new JobOptions { LeaseDuration = ShortLease } });
        Assert.Equal(ShortLease, (await c.Queue("q-lease-patch").GetPolicy()).LeaseDuration);
        var ack = await c.Enqueue("q-lease-patch", new TestJob { SleepMs = 7000 });

        var job = await c.WaitForState("q-lease-patch", ack.JobId, JobState.Completed);
        Assert.Equal(0, job.Stalls);
        Assert.Equal(1, c.Ledger.StartsOf(ack.JobId));
    }

    [Fact]
    public async Task TwoWorkersWithDifferentLeases_OnOneQueue_BothKeepTheirLeases()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("lease-long", "q-lease-shared", concurrency: 2, jobOptions: new JobOptions { LeaseDuration = TimeSpan.FromSeconds(60) });

        // The second worker sets the queue's policy: the first one's replica now gets 3 s leases.
        await c.Worker("lease-short").Create(new WorkerDefinition
        {
            Name = "lease-short",
            QueueName = "q-lease-shared",
            Processor = "test",
            JobOptions = new JobOptions { LeaseDuration = ShortLease },
        });
        var acks = await c.Queue("q-lease-shared").EnqueueBatch([.. Enumerable.Range(0, 2).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { SleepMs = 7000, Tag = $"s{i}" }) })]);

        foreach (var ack in acks)
        {
            var job = await c.WaitForState("q-lease-shared", ack.JobId, JobState.Completed);
            Assert.Equal(0, job.Stalls);
            Assert.Equal(1, c.Ledger.StartsOf(ack.JobId));
        }
    }

    [Fact]
    public async Task AJobLeasedAgainToTheSameReplica_RunsAsItsOwnAttempt_SoTheBoundHolds_AndCancelReachesTheLiveRun()
    {
        var gate = new Gate();
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w => w.AddProcessor("gate", gate.RunAsync));
        await c.StartWorker("lease-again", "q-lease-again", concurrency: 2, jobOptions: new JobOptions { LeaseDuration = TimeSpan.FromSeconds(5), MaxStalls = 5 }, processor: "gate");
        var ack = await c.Queue("q-lease-again").Enqueue(new EnqueueRequest { Payload = "{}" });
        var first = await gate.Started(ack.JobId, 1);

        // Renewals get lost; the lease expires while the first attempt still runs (it ignores its token), and the same
        // replica, with a slot free, leases the job again.
        c.Faults.Drop(nameof(IQueueGrain.RenewLeases));
        c.Clock!.Advance(TimeSpan.FromSeconds(6));
        var second = await gate.Started(ack.JobId, 2);
        c.Faults.Restore(nameof(IQueueGrain.RenewLeases));
        Assert.True(second.Token > first.Token);

        // Both attempts hold a slot: new jobs wait. When the zombie attempt ends, its report is refused and it frees only its
        // own slot, so exactly one new job starts.
        var others = await c.Queue("q-lease-again").EnqueueBatch([new EnqueueRequest { Payload = "{}" }, new EnqueueRequest { Payload = "{}" }]);
        first.Release.SetResult();
        await gate.Started(others[0].JobId, 1);
        await Eventually.True(() => first.Finished, "the first attempt returned");
        Assert.Equal(2, gate.Running);
        Assert.Equal(JobState.Waiting, (await c.Queue("q-lease-again").GetJob(others[1].JobId))!.State);
        Assert.Equal(second.Token, (await c.Queue("q-lease-again").GetJob(ack.JobId))!.LeaseToken);

        // Cancelling the job reaches the attempt that holds the lease.
        Assert.Equal(CancelResult.Cancelled, await c.Queue("q-lease-again").Cancel(ack.JobId));
        await Eventually.True(() => second.CancelledBecause == JobCancellationReason.Cancelled, "the live attempt's token fired");
        Assert.Null(first.CancelledBecause);
    }

    [Fact]
    public async Task AReport_FromAReplicaThatDoesNotHoldTheLease_IsRefused_EvenWithTheRightToken()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-lease-owner");
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = "{}" });
        var lease = Assert.Single(await queue.Lease("holder/0", 1));

        var forged = await queue.Report("intruder/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Completed, Result = "\"forged\"" }]);
        var lost = await queue.RenewLeases("intruder/0", [new JobLeaseRef(ack.JobId, lease.LeaseToken)]);
        var real = await queue.Report("holder/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Completed, Result = "\"real\"" }]);

        Assert.Equal([AckStatus.StaleLease], forged);
        Assert.Equal([new JobLeaseRef(ack.JobId, lease.LeaseToken)], lost.Lost);
        Assert.Equal([AckStatus.Accepted], real);
        Assert.Equal("\"real\"", (await queue.GetJob(ack.JobId))!.Result);
    }

    [Fact]
    public async Task LeaseTokens_KeepGrowing_WhenTheStoreLosesItsLastWrites_SoAnOldHoldersReportIsRefused()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-lease-loss");
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = "{}" });
        var beforeLease = c.Store.Memory!.Copy("q-lease-loss");
        var lost = Assert.Single(await queue.Lease("old/0", 1));

        // The store loses the lease (Redis restored from a copy a moment old); the queue reloads a second later.
        c.Store.Memory.Restore("q-lease-loss", beforeLease);
        await ReloadAsync(c, queue);
        c.Clock!.Advance(TimeSpan.FromSeconds(1));

        var again = Assert.Single(await queue.Lease("new/0", 1));
        Assert.Equal(ack.JobId, again.JobId);
        Assert.True(again.LeaseToken > lost.LeaseToken, $"token {again.LeaseToken} after the loss, {lost.LeaseToken} before");
        var stale = await queue.Report("new/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = lost.LeaseToken, Kind = JobOutcomeKind.Completed, Result = "\"stale\"" }]);
        Assert.Equal([AckStatus.StaleLease], stale);
        Assert.Equal(JobState.Active, (await queue.GetJob(ack.JobId))!.State);
    }

    [Fact]
    public async Task ALeaseWhoseWriteWaitsOutAStoreOutage_CountsFromWhenItIsGranted_SoTheJobIsNotHandedOutTwice()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-lease-slow-write");
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = "{}" });
        var policy = await queue.GetPolicy();

        // The lease's write waits longer than a lease lasts (Redis restarting; its client holds the command meanwhile).
        var (reached, release) = c.Store.HoldNextCommit();
        var leasing = queue.Lease("slow/0", 1);
        await reached;
        c.Clock!.Advance(policy.LeaseDuration * 2);
        release();
        var lease = Assert.Single(await leasing);

        // The holder has just learnt of its lease: it is not expired, nor handed to another replica.
        Assert.Empty(await queue.Lease("other/0", 1));
        var job = (await queue.GetJob(ack.JobId))!;
        Assert.Equal(JobState.Active, job.State);
        Assert.Equal(lease.LeaseToken, job.LeaseToken);
        Assert.Equal(0, job.Stalls);

        // It still expires a lease duration after it was handed over.
        c.Clock.Advance(policy.LeaseDuration + TimeSpan.FromSeconds(1));
        await Eventually.True(async () => (await queue.GetJob(ack.JobId))!.Stalls == 1, "the unrenewed lease expired");
    }

    /// <summary>Makes the queue drop its memory and reload from the store (a failed write does that).</summary>
    private static async Task ReloadAsync(WorkersCluster c, IQueueGrain queue)
    {
        c.Store.Failing = true;
        await Assert.ThrowsAsync<WorkersException>(() => queue.Pause());
        c.Store.Failing = false;
        await Eventually.True(
            async () =>
            {
                try
                {
                    await queue.Resume();
                    return true;
                }
                catch (WorkersException)
                {
                    return false;
                }
            },
            "the queue reloaded");
    }

    /// <summary>A processor whose attempts run until the test releases them, ignoring their tokens (which they record).</summary>
    private sealed class Gate
    {
        private readonly ConcurrentQueue<Run> runs = new();
        private int running;

        public int Running => Volatile.Read(ref running);

        public async Task<object?> RunAsync(JobContext context)
        {
            var run = new Run(context.JobId, context.FencingToken);
            runs.Enqueue(run);
            Interlocked.Increment(ref running);
            using var registration = context.CancellationToken.Register(() => run.CancelledBecause = context.CancellationReason);
            try
            {
                await run.Release.Task;
                return run.Token;
            }
            finally
            {
                Interlocked.Decrement(ref running);
                run.Finished = true;
            }
        }

        /// <summary>The <paramref name="n"/>th attempt of a job, once it started.</summary>
        public async Task<Run> Started(string jobId, int n)
        {
            await Eventually.True(() => runs.Count(r => r.JobId == jobId) >= n, $"attempt {n} of job {jobId} started");
            return runs.Where(r => r.JobId == jobId).ElementAt(n - 1);
        }

        public sealed class Run(string jobId, long token)
        {
            public string JobId { get; } = jobId;

            public long Token { get; } = token;

            public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            private volatile bool finished;

            public bool Finished
            {
                get => finished;
                set => finished = value;
            }

            public JobCancellationReason? CancelledBecause { get; set; }
        }
    }
}

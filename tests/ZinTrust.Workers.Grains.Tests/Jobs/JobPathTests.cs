using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The job path on a 2-silo cluster with a real clock. One cluster for the class; queues are unique per test.</summary>
[Collection(nameof(SharedClusterCollection))]
public sealed class JobPathTests(SharedCluster shared)
{
    private WorkersCluster C => shared.Cluster;

    [Fact]
    public async Task Job_Completes_WithTheProcessorsResult()
    {
        await C.StartWorker("path-basic", "q-path-basic");
        var ack = await C.Enqueue("q-path-basic", new TestJob { Tag = "hello" });

        Assert.True(ack.Created);
        var job = await C.WaitForState("q-path-basic", ack.JobId, JobState.Completed);
        Assert.Equal(1, job.Attempt);
        Assert.Contains("\"tag\":\"hello\"", job.Result, StringComparison.Ordinal);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
        Assert.Equal(100, job.Progress);
    }

    [Fact]
    public async Task Batch_IsAcknowledgedWhole_AndEveryJobRuns()
    {
        await C.StartWorker("path-batch", "q-path-batch", concurrency: 10);
        var requests = Enumerable.Range(0, 100).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { Tag = $"b{i}" }) }).ToArray();

        var acks = await C.Queue("q-path-batch").EnqueueBatch(requests);

        Assert.Equal(100, acks.Select(a => a.JobId).Distinct().Count());
        foreach (var ack in acks)
        {
            await C.WaitForState("q-path-batch", ack.JobId, JobState.Completed);
        }
    }

    [Fact]
    public async Task Priorities_RunHighestFirst_AndFifoWithinOnePriority()
    {
        var queue = C.Queue("q-path-prio");
        await queue.Pause();
        var order = new (int Priority, string Tag)[]
        {
            (JobPriority.Low, "low-1"), (JobPriority.Normal, "normal-1"), (JobPriority.Critical, "critical-1"),
            (JobPriority.High, "high-1"), (JobPriority.Normal, "normal-2"), (JobPriority.Critical, "critical-2"),
            (JobPriority.Low, "low-2"), (JobPriority.High, "high-2"),
        };
        foreach (var (priority, tag) in order)
        {
            await C.Enqueue("q-path-prio", new TestJob { Tag = tag }, priority: priority);
        }

        await C.StartWorker("path-prio", "q-path-prio", concurrency: 1);
        await queue.Resume();

        await Eventually.True(() => C.Ledger.Executions.Count(e => order.Any(o => o.Tag == e.Tag) && e.Finished) == 8, "all 8 prioritised jobs ran");
        var ran = C.Ledger.Executions.Where(e => order.Any(o => o.Tag == e.Tag)).Select(e => e.Tag).ToArray();
        Assert.Equal(["critical-1", "critical-2", "high-1", "high-2", "normal-1", "normal-2", "low-1", "low-2"], ran);
    }

    [Fact]
    public async Task PausedQueue_LeasesNothing_UntilResumed()
    {
        var queue = C.Queue("q-path-pause");
        await queue.Pause();
        var ack = await C.Enqueue("q-path-pause", new TestJob { Tag = "paused" });

        Assert.Empty(await queue.Lease("probe/0", 10));
        Assert.True((await queue.GetStats()).Paused);

        await C.StartWorker("path-pause", "q-path-pause");
        Assert.Equal(JobState.Waiting, (await queue.GetJob(ack.JobId))!.State);
        await queue.Resume();
        await C.WaitForState("q-path-pause", ack.JobId, JobState.Completed);
    }

    [Fact]
    public async Task Cancel_WhileWaiting_MeansItNeverRuns()
    {
        var queue = C.Queue("q-path-cancel-wait");
        await queue.Pause();
        var ack = await C.Enqueue("q-path-cancel-wait", new TestJob { Tag = "never" });

        Assert.Equal(CancelResult.Cancelled, await queue.Cancel(ack.JobId));
        Assert.Equal(CancelResult.AlreadyFinished, await queue.Cancel(ack.JobId));

        var sentinel = await C.Enqueue("q-path-cancel-wait", new TestJob { Tag = "sentinel" });
        await C.StartWorker("path-cancel-wait", "q-path-cancel-wait", concurrency: 1);
        await queue.Resume();
        await C.WaitForState("q-path-cancel-wait", sentinel.JobId, JobState.Completed);

        var job = await queue.GetJob(ack.JobId);
        Assert.Equal(JobState.Cancelled, job!.State);
        Assert.Equal(0, C.Ledger.StartsOf(ack.JobId));
    }

    [Fact]
    public async Task Cancel_WhileRunning_FiresTheProcessorsToken()
    {
        await C.StartWorker("path-cancel-run", "q-path-cancel-run");
        var ack = await C.Enqueue("q-path-cancel-run", new TestJob { SleepMs = -1, Tag = "blocker" });
        await Eventually.True(() => C.Ledger.StartsOf(ack.JobId) == 1, "the job started");

        Assert.Equal(CancelResult.Cancelled, await C.Queue("q-path-cancel-run").Cancel(ack.JobId));

        await Eventually.True(() => C.Ledger.For(ack.JobId)[0].CancelledBecause == JobCancellationReason.Cancelled, "the processor saw a cancel");
        var job = await C.Queue("q-path-cancel-run").GetJob(ack.JobId);
        Assert.Equal(JobState.Cancelled, job!.State);
        Assert.Equal(JobFailureReasons.Cancelled, job.FailureReason);
    }

    [Fact]
    public async Task SpentAttempts_GoToDeadLetters_AndRetryRunsTheJobAgain()
    {
        await C.StartWorker("path-dlq", "q-path-dlq");
        var ack = await C.Enqueue("q-path-dlq", new TestJob { FailExecutions = 1 }, attempts: 1);

        var failed = await C.WaitForState("q-path-dlq", ack.JobId, JobState.Failed);
        Assert.Equal(JobFailureReasons.AttemptsExhausted, failed.FailureReason);
        Assert.Contains("planned failure", failed.Error, StringComparison.Ordinal);
        var dead = await C.Queue("q-path-dlq").ListJobs(JobState.Failed, 0, 10);
        Assert.Equal([ack.JobId], dead.Select(d => d.Id));

        Assert.Equal(1, await C.Queue("q-path-dlq").RetryDeadLetters([ack.JobId]));

        var done = await C.WaitForState("q-path-dlq", ack.JobId, JobState.Completed);
        Assert.Equal(1, done.Attempt);
        Assert.Equal(2, C.Ledger.StartsOf(ack.JobId));
        Assert.Empty(await C.Queue("q-path-dlq").ListJobs(JobState.Failed, 0, 10));
    }

    [Fact]
    public async Task Unrecoverable_SkipsRetries_AndDeadLettersCanBeDeleted()
    {
        await C.StartWorker("path-poison", "q-path-poison");
        var ack = await C.Enqueue("q-path-poison", new TestJob { Unrecoverable = true }, attempts: 5);

        var failed = await C.WaitForState("q-path-poison", ack.JobId, JobState.Failed);

        Assert.Equal(JobFailureReasons.Unrecoverable, failed.FailureReason);
        Assert.Equal(1, C.Ledger.StartsOf(ack.JobId));
        Assert.Equal(1, await C.Queue("q-path-poison").DeleteDeadLetters(null));
        Assert.Null(await C.Queue("q-path-poison").GetJob(ack.JobId));
    }

    [Fact]
    public async Task RetriableFailure_IsRetriedUntilItSucceeds()
    {
        await C.StartWorker("path-retry", "q-path-retry");
        var ack = await C.Enqueue("q-path-retry", new TestJob { FailTimes = 2 }, attempts: 3, backoff: new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(50) });

        var job = await C.WaitForState("q-path-retry", ack.JobId, JobState.Completed);

        Assert.Equal(3, job.Attempt);
        Assert.Equal([1, 2, 3], C.Ledger.For(ack.JobId).Select(e => e.Attempt));
    }

    [Fact]
    public async Task IdempotencyKey_UnderConcurrentEnqueues_YieldsOneJob()
    {
        var queue = C.Queue("q-path-idem");
        await queue.Pause();
        var request = new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob()), IdempotencyKey = "order-42" };

        var acks = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => queue.Enqueue(request)));

        Assert.Single(acks.Select(a => a.JobId).Distinct());
        Assert.Equal(1, acks.Count(a => a.Created));
        Assert.Equal(1, (await queue.GetStats()).Waiting);
    }

    [Fact]
    public async Task Timeout_FiresTheToken_AndFailsTheAttempt()
    {
        await C.StartWorker("path-timeout", "q-path-timeout");
        var ack = await C.Enqueue("q-path-timeout", new TestJob { SleepMs = -1 }, attempts: 1, timeout: TimeSpan.FromMilliseconds(300));

        var job = await C.WaitForState("q-path-timeout", ack.JobId, JobState.Failed);

        Assert.StartsWith("Timed out after 0.3 s", job.Error, StringComparison.Ordinal);
        Assert.Equal(JobCancellationReason.Timeout, C.Ledger.For(ack.JobId)[0].CancelledBecause);
    }

    [Fact]
    public async Task Concurrency_IsAHardBound_AndAnUpdateAppliesWithoutRestart()
    {
        var worker = await C.StartWorker("path-conc", "q-path-conc", concurrency: 2);
        var generation = (await worker.Get())!.Generation;
        var acks = new List<EnqueueResult>();
        for (int i = 0; i < 6; i++)
        {
            acks.Add(await C.Enqueue("q-path-conc", new TestJob { SleepMs = -1, Tag = "conc" }));
        }

        await Eventually.True(() => C.Ledger.Executions.Count(e => e.Tag == "conc") == 2, "two jobs run");
        Assert.Equal(2, (await C.Queue("q-path-conc").GetStats()).Active);

        await worker.Update(new WorkerUpdate { Concurrency = 5 });

        await Eventually.True(() => C.Ledger.Executions.Count(e => e.Tag == "conc") == 5, "five jobs run after the update");
        Assert.Equal(5, (await C.Queue("q-path-conc").GetStats()).Active);
        Assert.Equal(generation, (await worker.Get())!.Generation);
        foreach (var ack in acks)
        {
            await C.Queue("q-path-conc").Cancel(ack.JobId);
        }
    }
}

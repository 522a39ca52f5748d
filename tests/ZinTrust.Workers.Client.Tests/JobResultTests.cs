using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

[Collection(nameof(ClientClusterCollection))]
public sealed class JobResultTests(ClientCluster fixture)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts worker <paramref name="name"/> on queue q-{name} and one job that runs until its gate is released.</summary>
    private async Task<HeldJob> StartHeldJob(string name, Action<WorkersClientOptions>? configure = null, JobOptions? jobOptions = null)
    {
        string queueName = "q-" + name;
        await fixture.StartWorker(name, queueName, "gated", jobOptions);
        var services = fixture.Services(configure);
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<GatedJob>(queueName);
        var ack = await queue.EnqueueAsync(new GatedJob(name), cancellationToken: Ct);
        await fixture.Gates[name].Started.WaitAsync(Long, Ct);
        return new HeldJob(services, queue, queueName, ack.JobId, fixture.Gates[name]);
    }

    private Task WatchersReach(HeldJob job, int count, string expectation) =>
        Eventually.True(async () => await fixture.Watchers(job.QueueName) == count, expectation);

    [Fact]
    public async Task EnqueueAndWait_ReturnsTheTypedResult_WhenTheJobCompletes()
    {
        await fixture.StartWorker("res-ok", "q-res-ok", "gated");
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<GatedJob>("q-res-ok");
        fixture.Gates["res-ok"].Release("done");

        var result = await queue.EnqueueAndWaitAsync<GatedResult>(new GatedJob("res-ok"), Long, cancellationToken: Ct);
        var record = await queue.EnqueueAndWaitAsync(new GatedJob("res-ok"), Long, cancellationToken: Ct);

        Assert.Equal(new GatedResult("done", 1), result);
        Assert.Equal(JobState.Completed, record.State);
        Assert.Equal("{\"text\":\"done\",\"attempt\":1}", record.Result);
    }

    [Fact]
    public async Task WaitForResult_ThrowsJobFailed_WithTheErrorAndReason_WhenTheJobIsDeadLettered()
    {
        await fixture.StartWorker("res-dead", "q-res-dead", "test");
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-res-dead");
        var options = new JobEnqueueOptions { Attempts = 2, Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(20) } };

        var ack = await queue.EnqueueAsync(new TestJob { FailTimes = 5 }, options, Ct);
        var failed = await Assert.ThrowsAsync<JobFailedException>(() => queue.WaitForResultAsync(ack.JobId, Long, Ct));

        Assert.Equal(ack.JobId, failed.JobId);
        Assert.Equal("q-res-dead", failed.Queue);
        Assert.Equal(JobFailureReasons.AttemptsExhausted, failed.FailureReason);
        Assert.Equal(2, failed.Attempts);
        Assert.Equal("InvalidOperationException: planned failure on attempt 2", failed.Error);
        Assert.Contains("planned failure on attempt 2", failed.Message, StringComparison.Ordinal);
        Assert.Equal(JobState.Failed, (await queue.GetAsync(ack.JobId, Ct))!.State);
    }

    [Fact]
    public async Task WaitForResult_ThrowsJobCancelled_WhenTheJobIsCancelledWhileAwaited()
    {
        await using var held = await StartHeldJob("res-cancel");

        var waiting = held.Queue.WaitForResultAsync(held.JobId, Long, Ct);
        await WatchersReach(held, 1, "the waiter registers with the queue");
        Assert.Equal(CancelResult.Cancelled, await held.Queue.CancelAsync(held.JobId, Ct));
        var cancelled = await Assert.ThrowsAsync<JobCancelledException>(() => waiting);

        Assert.Equal(held.JobId, cancelled.JobId);
        Assert.Equal(JobState.Cancelled, cancelled.Job!.State);
        Assert.Equal(0, await fixture.Watchers(held.QueueName));
    }

    [Fact]
    public async Task WaitForResult_ThrowsTimeout_WhileTheJobKeepsRunning_AndUnregisters()
    {
        await using var held = await StartHeldJob("res-slow");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => held.Queue.WaitForResultAsync(held.JobId, TimeSpan.FromMilliseconds(300), Ct));

        Assert.Contains(held.JobId, timeout.Message, StringComparison.Ordinal);
        Assert.Contains("keeps running", timeout.Message, StringComparison.Ordinal);
        Assert.Equal(JobState.Active, (await held.Queue.GetAsync(held.JobId, Ct))!.State);
        await WatchersReach(held, 0, "the timed-out waiter unregisters");

        held.Gate.Release("late");
        Assert.Equal("late", (await held.Queue.WaitForResultAsync<GatedResult>(held.JobId, Long, Ct))!.Text);
    }

    [Fact]
    public async Task WaitForResult_ThrowsOperationCanceled_WhenTheCallerCancels_AndLeavesTheJobAlone()
    {
        await using var held = await StartHeldJob("res-abandon");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = held.Queue.WaitForResultAsync(held.JobId, Long, stop.Token);
        await WatchersReach(held, 1, "the waiter registers with the queue");
        await stop.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        Assert.Equal(stop.Token, error.CancellationToken);
        Assert.Equal(JobState.Active, (await held.Queue.GetAsync(held.JobId, Ct))!.State);
        await WatchersReach(held, 0, "the abandoned waiter unregisters");
        held.Gate.Release("unwatched");
    }

    [Fact]
    public async Task WaitForResult_IsPushed_WithoutPolling()
    {
        await using var held = await StartHeldJob("res-push", o => o.ResultWait.PushSafetyPollInterval = TimeSpan.FromMinutes(5));
        int watchesBefore = fixture.Cluster.Calls[nameof(IQueueGrain.WatchJob)];
        int readsBefore = fixture.Cluster.Calls[nameof(IQueueGrain.GetJob)];

        // The next re-read would come after 5 minutes: only the push can end this wait within the timeout.
        var waiting = held.Queue.WaitForResultAsync<GatedResult>(held.JobId, Long, Ct);
        await WatchersReach(held, 1, "the waiter registers with the queue");
        held.Gate.Release("pushed");
        var result = await waiting;

        Assert.Equal("pushed", result!.Text);
        Assert.Equal(1, fixture.Cluster.Calls[nameof(IQueueGrain.WatchJob)] - watchesBefore);
        Assert.Equal(0, fixture.Cluster.Calls[nameof(IQueueGrain.GetJob)] - readsBefore);
        Assert.Equal(0, await fixture.Watchers(held.QueueName));
    }

    [Fact]
    public async Task WaitForResult_RecoversALostNotice_ByReReadingTheJob()
    {
        await using var held = await StartHeldJob("res-lost", o => o.ResultWait.PushSafetyPollInterval = TimeSpan.FromMilliseconds(200));

        var waiting = held.Queue.WaitForResultAsync<GatedResult>(held.JobId, Long, Ct);
        await WatchersReach(held, 1, "the waiter registers with the queue");
        // The completion is written but its write reports failure: the queue drops its notices and reloads.
        fixture.Cluster.Store.FailCommitsAfterWriting(held.QueueName, 1);
        held.Gate.Release("re-read");

        Assert.Equal("re-read", (await waiting)!.Text);
        Assert.Contains(fixture.Cluster.Store.History(held.JobId), r => r.State == JobState.Completed);
    }

    [Fact]
    public async Task WaitForResult_Polls_WhenPushIsOff()
    {
        await using var held = await StartHeldJob("res-poll", o => o.ResultWait.UsePush = false);
        int watchesBefore = fixture.Cluster.Calls[nameof(IQueueGrain.WatchJob)];
        int readsBefore = fixture.Cluster.Calls[nameof(IQueueGrain.GetJob)];

        var waiting = held.Queue.WaitForResultAsync<GatedResult>(held.JobId, Long, Ct);
        await Eventually.True(() => fixture.Cluster.Calls[nameof(IQueueGrain.GetJob)] - readsBefore >= 2, "the waiter polls");
        held.Gate.Release("polled");

        Assert.Equal("polled", (await waiting)!.Text);
        Assert.Equal(0, fixture.Cluster.Calls[nameof(IQueueGrain.WatchJob)] - watchesBefore);
        Assert.Equal(0, await fixture.Watchers(held.QueueName));
    }

    [Fact]
    public async Task WaitForResult_GetsThePushedResult_EvenWhenRetentionDropsTheJobAtOnce()
    {
        await using var held = await StartHeldJob("res-noretain", o => o.ResultWait.PushSafetyPollInterval = TimeSpan.FromMinutes(5), new JobOptions { RetainCompleted = 0 });

        var waiting = held.Queue.WaitForResultAsync<GatedResult>(held.JobId, Long, Ct);
        await WatchersReach(held, 1, "the waiter registers with the queue");
        held.Gate.Release("gone");

        Assert.Equal("gone", (await waiting)!.Text);
        Assert.Null(await held.Queue.GetAsync(held.JobId, Ct));
    }

    [Fact]
    public async Task WaitForResult_ThrowsJobNotFound_ForAnUnknownJob_AndRejectsBadArguments()
    {
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<GatedJob>("q-res-unknown");

        var missing = await Assert.ThrowsAsync<WorkersException>(() => queue.WaitForResultAsync("nope", Long, Ct));
        var badId = await Assert.ThrowsAsync<WorkersException>(() => queue.WaitForResultAsync("no/pe", Long, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.WaitForResultAsync("nope", TimeSpan.Zero, Ct));

        Assert.Equal(WorkersErrorCodes.JobNotFound, missing.Code);
        Assert.Equal(WorkersErrorCodes.InvalidJobId, badId.Code);
    }

    private sealed record HeldJob(ServiceProvider Services, IJobQueue<GatedJob> Queue, string QueueName, string JobId, Gate Gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }
}

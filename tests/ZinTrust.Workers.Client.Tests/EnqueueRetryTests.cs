using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

[Collection(nameof(ClientClusterCollection))]
public sealed class EnqueueRetryTests(ClientCluster fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enqueue_RetriesTransientErrors_WithOneGeneratedIdempotencyKey_AndStoresOneJob()
    {
        // Attempt 1 reaches the queue and its answer is lost; attempt 2 never reaches the cluster; attempt 3 goes through.
        fixture.Faults.Plan(
            "q-retry-lost",
            EnqueueFault.After(new TimeoutException("response lost (test)")),
            EnqueueFault.Before(new SiloUnavailableException("gateway gone (test)")));
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-lost");
        int enqueuesBefore = fixture.Cluster.Calls[nameof(IQueueGrain.EnqueueEach)];

        var ack = await queue.EnqueueAsync(new TestJob { Tag = "once" }, cancellationToken: Ct);
        var stored = await queue.GetAsync(ack.JobId, Ct);

        Assert.Equal(3, fixture.Faults.Attempts("q-retry-lost"));
        Assert.Equal(2, fixture.Cluster.Calls[nameof(IQueueGrain.EnqueueEach)] - enqueuesBefore);
        Assert.False(ack.Created);   // the first attempt created it
        Assert.Equal(1, fixture.Cluster.Store.Count("q-retry-lost"));
        Assert.StartsWith("client:", stored!.IdempotencyKey, StringComparison.Ordinal);
        Assert.Single(await fixture.Cluster.Queue("q-retry-lost").ListJobs(JobState.Waiting, 0, 10));
    }

    [Fact]
    public async Task Enqueue_RetriesAQueueThatLostItsStoreAnswer_AndReturnsTheJobTheStoreHas()
    {
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-store");
        await queue.EnqueueAsync(new TestJob { Tag = "warm-up" }, cancellationToken: Ct);   // the queue is active and loaded

        // The store writes the job but reports failure: the queue answers QUEUE_UNAVAILABLE and reloads from the store.
        fixture.Cluster.Store.FailCommitsAfterWriting("q-retry-store", 1);
        var ack = await queue.EnqueueAsync(new TestJob { Tag = "written-once" }, new JobEnqueueOptions { IdempotencyKey = "caller-key" }, Ct);
        var waiting = await fixture.Cluster.Queue("q-retry-store").ListJobs(JobState.Waiting, 0, 10);

        Assert.True(fixture.Faults.Attempts("q-retry-store") >= 3, "the failed attempt was retried");
        Assert.False(ack.Created);
        Assert.Equal(2, fixture.Cluster.Store.Count("q-retry-store"));
        Assert.Equal(ack.JobId, Assert.Single(waiting, j => j.IdempotencyKey == "caller-key").Id);
    }

    [Fact]
    public async Task Enqueue_DoesNotRetry_ValidationErrors()
    {
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-invalid");

        var error = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueAsync(new TestJob(), new JobEnqueueOptions { Priority = 1000 }, Ct));

        Assert.Equal(WorkersErrorCodes.InvalidPriority, error.Code);
        Assert.Equal(1, fixture.Faults.Attempts("q-retry-invalid"));
    }

    [Fact]
    public async Task Enqueue_DoesNotRetry_ErrorsThatAreNotTransient()
    {
        fixture.Faults.Plan("q-retry-fatal", EnqueueFault.Before(new InvalidOperationException("not transient (test)")));
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-fatal");

        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.EnqueueAsync(new TestJob(), cancellationToken: Ct));

        Assert.Equal(1, fixture.Faults.Attempts("q-retry-fatal"));
        Assert.Equal(0, fixture.Cluster.Store.Count("q-retry-fatal"));
    }

    [Fact]
    public async Task Enqueue_GivesUpAfterMaxAttempts_WithTheLastError()
    {
        fixture.Faults.Plan("q-retry-max", _ => EnqueueFault.Before(new ConnectionFailedException("no gateway (test)")));
        await using var services = fixture.Services(o => o.EnqueueRetry.MaxAttempts = 3);
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-max");

        await Assert.ThrowsAsync<ConnectionFailedException>(() => queue.EnqueueAsync(new TestJob(), cancellationToken: Ct));

        Assert.Equal(3, fixture.Faults.Attempts("q-retry-max"));
    }

    [Fact]
    public async Task Enqueue_SchedulesNoRetry_OnceTheBudgetIsSpent()
    {
        // Each attempt takes "one second" on the client's clock; the budget allows retries up to 2.5 s after the start.
        var clock = new SteppedClock();
        fixture.Faults.Plan("q-retry-budget", _ =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return EnqueueFault.Before(new GatewayTooBusyException("busy (test)"));
        });
        await using var services = fixture.Services(
            o =>
            {
                o.EnqueueRetry.MaxAttempts = 100;
                o.EnqueueRetry.Budget = TimeSpan.FromSeconds(2.5);
            },
            clock);
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-budget");

        await Assert.ThrowsAsync<GatewayTooBusyException>(() => queue.EnqueueAsync(new TestJob(), cancellationToken: Ct));

        Assert.Equal(3, fixture.Faults.Attempts("q-retry-budget"));
    }

    [Fact]
    public async Task Enqueue_WithRetriesOff_MakesOneAttempt_AndAddsNoIdempotencyKey()
    {
        fixture.Faults.Plan("q-retry-off", EnqueueFault.Before(new SiloUnavailableException("gone (test)")));
        await using var services = fixture.Services(o => o.EnqueueRetry.MaxAttempts = 1);
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-retry-off");

        await Assert.ThrowsAsync<SiloUnavailableException>(() => queue.EnqueueAsync(new TestJob(), cancellationToken: Ct));
        var ack = await queue.EnqueueAsync(new TestJob(), cancellationToken: Ct);

        Assert.Equal(2, fixture.Faults.Attempts("q-retry-off"));
        Assert.Null((await queue.GetAsync(ack.JobId, Ct))!.IdempotencyKey);
    }

    /// <summary>A clock whose time the test moves; its timers are real (the retry delays here are milliseconds).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => Stopwatch.Frequency;

        public override long GetTimestamp() => Interlocked.Read(ref ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, (long)(by.TotalSeconds * Stopwatch.Frequency));
    }
}

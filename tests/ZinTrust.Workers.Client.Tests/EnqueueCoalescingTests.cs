using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

/// <summary>Concurrent single enqueues through the client share grain calls; each caller keeps its own answer, error and retries.</summary>
[Collection(nameof(ClientClusterCollection))]
public sealed class EnqueueCoalescingTests(ClientCluster fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ManyCallersAtOnce_EachGetTheirOwnJob_ARefusalStaysWithItsCaller_AndALostAnswerAddsNothing()
    {
        // The first calls wait until every caller has called (so the others gather behind them, whatever the timing); the
        // first is applied and its answer lost: every caller in it retries with its own key.
        var allCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Faults.Hold("q-coalesce", attempt => attempt <= 4 ? allCalled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct) : null);
        fixture.Faults.Plan("q-coalesce", attempt => attempt == 1 ? EnqueueFault.After(new TimeoutException("answer lost (test)")) : null);
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-coalesce");

        var calls = Enumerable.Range(0, 300).Select(i => (i % 50) switch
        {
            7 => (Kind: "invalid", Task: queue.EnqueueAsync(new TestJob { Tag = $"t{i}" }, new JobEnqueueOptions { Priority = 1000 }, Ct)),
            9 => (Kind: "shared", Task: queue.EnqueueAsync(new TestJob { Tag = "shared" }, new JobEnqueueOptions { IdempotencyKey = "one-order" }, Ct)),
            _ => (Kind: $"t{i}", Task: queue.EnqueueAsync(new TestJob { Tag = $"t{i}" }, cancellationToken: Ct)),
        }).ToArray();
        allCalled.SetResult();
        await Task.WhenAll(calls.Select(c => c.Task.ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default)));

        var invalid = calls.Where(c => c.Kind == "invalid").ToArray();
        Assert.All(invalid, c => Assert.Equal(WorkersErrorCodes.InvalidPriority, Assert.IsType<WorkersException>(c.Task.Exception!.InnerException).Code));
        var shared = calls.Where(c => c.Kind == "shared").Select(c => c.Task.Result.JobId).Distinct();
        var own = calls.Where(c => c.Kind.StartsWith('t')).ToArray();
        Assert.Single(shared);
        Assert.Equal(own.Length, own.Select(c => c.Task.Result.JobId).Distinct().Count());

        // Every caller's id names the job it sent: no answer went to another caller.
        foreach (var (kind, task) in own)
        {
            var job = await queue.GetAsync((await task).JobId, Ct);
            Assert.Equal(kind, JsonSerializer.Deserialize<TestJob>(job!.Payload, JobContext.JsonOptions)!.Tag);
        }

        Assert.Equal(own.Length + 1, fixture.Cluster.Store.Count("q-coalesce"));
        // 4 calls out at once, the rest gathered behind them (500 a call at most), plus the retries of the first call's callers.
        Assert.InRange(fixture.Faults.Attempts("q-coalesce"), 5, 12);
    }

    [Fact]
    public async Task WithCoalescingOff_EachEnqueue_IsItsOwnCall()
    {
        await using var services = fixture.Services(o => o.EnqueueCoalescing.Enabled = false);
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<TestJob>("q-coalesce-off");
        int singlesBefore = fixture.Cluster.Calls[nameof(IQueueGrain.Enqueue)];

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => queue.EnqueueAsync(new TestJob { Tag = $"t{i}" }, cancellationToken: Ct)));

        Assert.Equal(20, fixture.Faults.Attempts("q-coalesce-off"));
        Assert.True(fixture.Cluster.Calls[nameof(IQueueGrain.Enqueue)] - singlesBefore >= 20);
        Assert.Equal(20, fixture.Cluster.Store.Count("q-coalesce-off"));
    }
}

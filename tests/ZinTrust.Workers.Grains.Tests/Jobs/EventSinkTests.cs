using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Transition events reach the silo's sinks once durable, in commit order; a sink that throws or hangs never holds up jobs.</summary>
public sealed class EventSinkTests
{
    [Fact]
    public async Task Events_ReachEverySink_InCommitOrder_WhileAThrowingAndAHangingSinkHoldNothingUp()
    {
        var recorded = new RecordingSink();
        var hanging = new HangingSink();
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddEventSink(new ThrowingSink()).AddEventSink(hanging).AddEventSink(recorded));
        await c.StartWorker("sink-worker", "q-sinks", concurrency: 4, jobOptions: new JobOptions { Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.Zero } });

        var acks = await c.Queue("q-sinks").EnqueueBatch([.. Enumerable.Range(0, 20).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { Tag = $"s{i}", FailTimes = i % 4 == 0 ? 1 : 0 }) })]);
        foreach (var ack in acks)
        {
            await c.WaitForState("q-sinks", ack.JobId, JobState.Completed);
        }

        await Eventually.True(() => acks.All(a => recorded.For(a.JobId) is [.., JobEventKind.Completed]), "every completion reached the recording sink");
        Assert.True(hanging.Calls >= 1, "the hanging sink was called (and never returned)");
        for (int i = 0; i < acks.Count; i++)
        {
            JobEventKind[] expected = i % 4 == 0
                ? [JobEventKind.Enqueued, JobEventKind.Leased, JobEventKind.Retried, JobEventKind.Leased, JobEventKind.Completed]
                : [JobEventKind.Enqueued, JobEventKind.Leased, JobEventKind.Completed];
            Assert.Equal(expected, recorded.For(acks[i].JobId));
        }

        // The silo's own feed has them too, numbered in order.
        var feed = c.Cluster.Silos[0].ServiceProvider.GetRequiredService<JobEventFeed>();
        using var read = feed.Subscribe(0, e => e.Queue == "q-sinks");
        Assert.Equal(recorded.All.Count(e => e.Queue == "q-sinks"), read.Backlog.Count);
        Assert.Equal(read.Backlog.Select(e => e.Id).Order(), read.Backlog.Select(e => e.Id));
    }

    private sealed class RecordingSink : IJobEventSink
    {
        private readonly ConcurrentQueue<JobEvent> events = new();

        public IReadOnlyList<JobEvent> All => events.ToArray();

        public JobEventKind[] For(string jobId) => events.Where(e => e.JobId == jobId).Select(e => e.Kind).ToArray();

        public ValueTask OnEventsAsync(IReadOnlyList<JobEvent> batch, CancellationToken cancellationToken)
        {
            foreach (var change in batch)
            {
                events.Enqueue(change);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowingSink : IJobEventSink
    {
        public ValueTask OnEventsAsync(IReadOnlyList<JobEvent> events, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a broken sink");
    }

    private sealed class HangingSink : IJobEventSink
    {
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public async ValueTask OnEventsAsync(IReadOnlyList<JobEvent> events, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }
}

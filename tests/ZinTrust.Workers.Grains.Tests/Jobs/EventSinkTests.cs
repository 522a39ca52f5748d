using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Transition events reach the silo's sinks once durable, in commit order; a sink that throws or hangs never holds up jobs.</summary>
public sealed class EventSinkTests
{
    [Fact]
    public async Task Feed_KeepsItsWindow_OnlyWhileSomeoneReads_OrJustLeft()
    {
        var events = Enumerable.Range(0, 3).Select(i => new JobEvent { Kind = JobEventKind.Enqueued, JobId = $"j{i}", Queue = "q" }).ToArray();
        var feed = new JobEventFeed(Microsoft.Extensions.Options.Options.Create(new WorkersOptions { EventFeedWindow = 100, EventFeedHold = TimeSpan.FromHours(1) }));

        // Nobody has read yet: the events are numbered, not kept; a reader resuming from before them learns it missed them.
        await feed.OnEventsAsync(events, TestContext.Current.CancellationToken);
        Assert.Equal(3, feed.Last);
        using (var first = feed.Subscribe(0, _ => true))
        {
            Assert.True(first.Missed);
            Assert.Empty(first.Backlog);
        }

        // The reader left within the hold: what came since is kept for its return.
        await feed.OnEventsAsync(events, TestContext.Current.CancellationToken);
        using var back = feed.Subscribe(3, _ => true);
        Assert.False(back.Missed);
        Assert.Equal([4L, 5, 6], back.Backlog.Select(e => e.Id));

        // With no hold, a feed whose last reader left keeps nothing.
        var unheld = new JobEventFeed(Microsoft.Extensions.Options.Options.Create(new WorkersOptions { EventFeedWindow = 100, EventFeedHold = TimeSpan.Zero }));
        unheld.Subscribe(null, _ => true).Dispose();
        await unheld.OnEventsAsync(events, TestContext.Current.CancellationToken);
        using var late = unheld.Subscribe(0, _ => true);
        Assert.True(late.Missed);
        Assert.Empty(late.Backlog);
    }

    [Fact]
    public async Task Events_ReachEverySink_InCommitOrder_WhileAThrowingAndAHangingSinkHoldNothingUp()
    {
        var recorded = new RecordingSink();
        var hanging = new HangingSink();
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddEventSink(new ThrowingSink()).AddEventSink(hanging).AddEventSink(recorded));
        await c.StartWorker("sink-worker", "q-sinks", concurrency: 4, jobOptions: new JobOptions { Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.Zero } });
        var feed = c.Cluster.Silos[0].ServiceProvider.GetRequiredService<JobEventFeed>();
        using var watching = feed.Subscribe(null, _ => false);   // a reader: the feed keeps its window

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

        // The silo's own feed has them too, numbered in order (it keeps them: a reader was connected throughout).
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

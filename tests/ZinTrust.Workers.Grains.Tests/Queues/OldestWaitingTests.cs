using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The age of a queue's oldest waiting job: kept by the index as jobs move in and out of waiting (no scan), and
/// reported by the queue's stats on the queue's clock.</summary>
public sealed class OldestWaitingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JobRecord Job(string id, long seq, JobState state, DateTimeOffset updated, int priority = JobPriority.Normal) =>
        new() { Id = id, Queue = "q", Sequence = seq, State = state, Priority = priority, CreatedAt = T0, UpdatedAt = updated };

    [Fact]
    public void Index_TracksWhenTheLongestWaitingJobBeganWaiting_WhateverItsPriorityOrGroup()
    {
        var index = new QueueIndex();
        Assert.Null(index.OldestWaitingSince());

        index.Put(Job("old-low", 1, JobState.Waiting, T0, JobPriority.Low));
        index.Put(Job("new-crit", 2, JobState.Waiting, T0.AddSeconds(30), JobPriority.Critical));
        index.Put(Job("grouped", 3, JobState.Waiting, T0.AddSeconds(10)) with { Group = "g" });
        Assert.Equal(T0, index.OldestWaitingSince());   // the low-priority job, though it is leased last

        index.Put(Job("old-low", 1, JobState.Active, T0.AddSeconds(40)) with { LeaseDeadline = T0.AddSeconds(70) });
        Assert.Equal(T0.AddSeconds(10), index.OldestWaitingSince());

        index.Remove("grouped");
        Assert.Equal(T0.AddSeconds(30), index.OldestWaitingSince());

        index.Put(Job("new-crit", 2, JobState.Active, T0.AddSeconds(50)) with { LeaseDeadline = T0.AddSeconds(80) });
        Assert.Null(index.OldestWaitingSince());
    }

    [Fact]
    public void Index_KeepsAWaitingJobsStart_WhenItsRecordIsReplacedWithoutLeavingWaiting_AndRestartsItWhenItComesBack()
    {
        var index = new QueueIndex();
        index.Put(Job("a", 1, JobState.Waiting, T0));
        index.Put(Job("a", 1, JobState.Waiting, T0.AddMinutes(5)));   // the same waiting job, its record rewritten
        Assert.Equal(T0, index.OldestWaitingSince());

        index.Put(Job("a", 1, JobState.Active, T0.AddMinutes(6)) with { LeaseDeadline = T0.AddMinutes(7) });
        index.Put(Job("a", 1, JobState.Waiting, T0.AddMinutes(8)) with { Stalls = 1 });   // a stall returns it
        Assert.Equal(T0.AddMinutes(8), index.OldestWaitingSince());
    }

    [Fact]
    public void Index_CountsReservedWaitingJobs_AsWaiting()
    {
        var index = new QueueIndex();
        index.Put(Job("a", 1, JobState.Waiting, T0));
        index.Put(Job("b", 2, JobState.Waiting, T0.AddSeconds(5)));

        index.Reserve([index.Get("a")!]);

        Assert.Equal(T0, index.OldestWaitingSince());
    }

    [Fact]
    public async Task QueueStats_ReportTheOldestWaitOnTheQueuesClock_FromEnqueueLeaseAndADelaysEnd()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var queue = c.Queue("q-oldest");
        await queue.SetPolicy(new JobOptions { LeaseDuration = TimeSpan.FromMinutes(10) });   // no lease expires in this test
        var clock = c.Clock!;
        var empty = await queue.GetStats();
        Assert.Null(empty.OldestWaitingSince);
        Assert.Null(empty.OldestWaitingAge);

        var start = clock.GetUtcNow();
        await queue.Enqueue(new EnqueueRequest { Payload = "1" });
        clock.Advance(TimeSpan.FromSeconds(90));
        await queue.Enqueue(new EnqueueRequest { Payload = "2" });
        await queue.Enqueue(new EnqueueRequest { Payload = "3", Delay = TimeSpan.FromSeconds(60) });
        clock.Advance(TimeSpan.FromSeconds(30));

        var two = await queue.GetStats();
        Assert.Equal((2, start, TimeSpan.FromSeconds(120)), (two.Waiting, two.OldestWaitingSince, two.OldestWaitingAge));

        Assert.Single(await queue.Lease("oldest-replica", 1));   // FIFO: the first job goes
        var one = await queue.GetStats();
        Assert.Equal((start.AddSeconds(90), TimeSpan.FromSeconds(30)), (one.OldestWaitingSince, one.OldestWaitingAge));

        Assert.Single(await queue.Lease("oldest-replica", 1));
        clock.Advance(TimeSpan.FromSeconds(30));   // the delayed job is due at start + 150 s
        var promoted = await Eventually.Get(queue.GetStats, s => s.Waiting == 1, "the delayed job becomes waiting");
        Assert.Equal(start.AddSeconds(150), promoted.OldestWaitingSince);
        Assert.Equal(TimeSpan.Zero, promoted.OldestWaitingAge);
    }
}

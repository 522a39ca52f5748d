using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class QueueIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JobRecord Job(string id, long seq, JobState state = JobState.Waiting, int priority = JobPriority.Normal) =>
        new() { Id = id, Queue = "q", Sequence = seq, State = state, Priority = priority, CreatedAt = T0, UpdatedAt = T0 };

    [Fact]
    public void Waiting_IsOrderedByPriority_ThenSequence()
    {
        var index = new QueueIndex();
        index.Put(Job("low", 1, priority: JobPriority.Low));
        index.Put(Job("n1", 2));
        index.Put(Job("crit", 3, priority: JobPriority.Critical));
        index.Put(Job("n2", 4));

        Assert.Equal(["crit", "n1", "n2", "low"], index.List(JobState.Waiting).Select(j => j.Id));
        Assert.Equal("crit", index.PeekWaiting()!.Id);
        Assert.Equal(5, index.NextSequence);
    }

    [Fact]
    public void Put_MovesARecordBetweenSets()
    {
        var index = new QueueIndex();
        index.Put(Job("a", 1));
        index.Put(Job("a", 1, JobState.Active) with { LeaseDeadline = T0.AddSeconds(30) });

        Assert.Equal(0, index.WaitingCount);
        Assert.Equal(1, index.Stats("q", false).Active);
        Assert.Equal(T0.AddSeconds(30), index.NextDue());
    }

    [Fact]
    public void DueAndExpired_AreFoundByTime()
    {
        var index = new QueueIndex();
        index.Put(Job("d1", 1, JobState.Delayed) with { RunAt = T0.AddSeconds(10) });
        index.Put(Job("d2", 2, JobState.Delayed) with { RunAt = T0.AddSeconds(20) });
        index.Put(Job("a1", 3, JobState.Active) with { LeaseDeadline = T0.AddSeconds(5) });

        Assert.Equal(T0.AddSeconds(5), index.NextDue());
        Assert.Equal(["d1"], index.DueDelayed(T0.AddSeconds(10)).Select(j => j.Id));
        Assert.Empty(index.ExpiredLeases(T0.AddSeconds(4)));
        Assert.Equal(["a1"], index.ExpiredLeases(T0.AddSeconds(5)).Select(j => j.Id));
    }

    [Fact]
    public void Remove_ForgetsTheJob_Once()
    {
        var index = new QueueIndex();
        index.Put(Job("a", 1));
        Assert.Equal(1, index.CountOf(JobState.Waiting));

        Assert.True(index.Remove("a"));

        Assert.Null(index.Get("a"));
        Assert.Equal(0, index.CountOf(JobState.Waiting));
        Assert.False(index.Remove("a"));
    }

    [Fact]
    public void FinishedJobs_AreOrderedOldestFirst_ForRetention()
    {
        var index = new QueueIndex();
        index.Put(Job("c2", 2, JobState.Completed) with { FinishedAt = T0.AddSeconds(2) });
        index.Put(Job("c1", 1, JobState.Cancelled) with { FinishedAt = T0.AddSeconds(1) });

        Assert.Equal("c1", index.OldestFinished()!.Id);
        var stats = index.Stats("q", paused: true);
        Assert.Equal(1, stats.Completed);
        Assert.Equal(1, stats.Cancelled);
        Assert.True(stats.Paused);
    }
}

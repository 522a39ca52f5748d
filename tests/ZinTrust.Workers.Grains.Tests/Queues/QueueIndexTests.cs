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

    [Fact]
    public void Groups_TakeTurns_WhileListingsKeepPriorityAndEnqueueOrder()
    {
        var index = new QueueIndex();
        index.Put(Job("a1", 1) with { Group = "a" });
        index.Put(Job("a2", 2) with { Group = "a" });
        index.Put(Job("a3", 3) with { Group = "a" });
        index.Put(Job("b1", 4) with { Group = "b" });
        index.Put(Job("n1", 5));
        index.Put(Job("b2", 6, priority: JobPriority.High) with { Group = "b" });

        Assert.True(index.HasGroups);
        Assert.Equal(6, index.WaitingCount);
        Assert.Equal(2, index.GroupCount);
        Assert.Equal(["b2", "a1", "a2", "a3", "b1", "n1"], index.List(JobState.Waiting).Select(e => e.Id));
        // The lane without a group first (it is always in the rotation), then the groups as they came; by priority within each.
        Assert.Equal(["n1", "a1", "b2", "a2", "b1", "a3"], index.LeaseOrder().Select(e => e.Id));
        Assert.Equal(["a1", "b2", "a2", "b1", "a3"], index.Rounds(lane => lane.Name is not null, _ => true).Select(e => e.Id));
    }

    [Fact]
    public void Rotate_SendsTheLanesThatGaveToTheBack_AndAGroupIsForgottenWhenItHasNoJobs()
    {
        var index = new QueueIndex();
        index.Put(Job("a1", 1) with { Group = "a" });
        index.Put(Job("b1", 2) with { Group = "b" });
        index.Put(Job("c1", 3) with { Group = "c" });
        var first = index.Rounds(_ => true, _ => true).Take(1).ToList();

        index.Rotate(first);

        Assert.Equal(["b1", "c1", "a1"], index.LeaseOrder().Select(e => e.Id));
        index.Put(Job("a1", 1, JobState.Active) with { Group = "a", LeaseDeadline = T0.AddSeconds(30) });
        Assert.Equal(3, index.GroupCount);   // a still has a job running
        index.Put(Job("a1", 1, JobState.Completed) with { Group = "a", FinishedAt = T0 });
        Assert.Equal(2, index.GroupCount);
        Assert.Equal(["b1", "c1"], index.LeaseOrder().Select(e => e.Id));
    }

    [Fact]
    public void AReservedGroupedJob_LeavesItsLane_AndComesBackToIt()
    {
        var index = new QueueIndex();
        index.Put(Job("a1", 1) with { Group = "a" });
        var entry = index.Get("a1")!;

        index.Reserve([entry]);
        Assert.False(index.HasGroups);
        Assert.Equal(0, index.WaitingCount);
        Assert.Equal(1, index.GroupCount);

        index.Unreserve([entry]);
        Assert.True(index.HasGroups);
        Assert.Equal("a1", index.PeekWaiting()!.Id);
    }
}

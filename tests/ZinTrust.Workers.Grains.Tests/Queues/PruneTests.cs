using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class PruneTests
{
    [Fact]
    public async Task Prune_DeletesFinishedJobsOlderThanTheCutoff_DeadLettersOnlyWhenAsked_AndKeepsTheRest()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        await c.StartWorker("prune-worker", "q-prune");
        var oldDone = await c.Enqueue("q-prune", new TestJob());
        var oldDead = await c.Enqueue("q-prune", new TestJob { Unrecoverable = true });
        await c.WaitForState("q-prune", oldDone.JobId, JobState.Completed);
        await c.WaitForState("q-prune", oldDead.JobId, JobState.Failed);

        c.Clock!.Advance(TimeSpan.FromHours(3));
        var recent = await c.Enqueue("q-prune", new TestJob());
        await c.WaitForState("q-prune", recent.JobId, JobState.Completed);
        var waiting = await c.Enqueue("q-prune", new TestJob(), delay: TimeSpan.FromDays(1));

        Assert.Equal(1, await c.Queue("q-prune").Prune(TimeSpan.FromHours(2), includeDeadLetters: false));
        Assert.Null(await c.Queue("q-prune").GetJob(oldDone.JobId));
        Assert.NotNull(await c.Queue("q-prune").GetJob(oldDead.JobId));

        Assert.Equal(1, await c.Queue("q-prune").Prune(TimeSpan.FromHours(2), includeDeadLetters: true));
        Assert.Null(await c.Queue("q-prune").GetJob(oldDead.JobId));
        Assert.NotNull(await c.Queue("q-prune").GetJob(recent.JobId));
        Assert.NotNull(await c.Queue("q-prune").GetJob(waiting.JobId));
        Assert.Equal(2, c.Store.Count("q-prune"));
        Assert.Equal(0, await c.Queue("q-prune").Prune(TimeSpan.FromHours(2), includeDeadLetters: true));
    }
}

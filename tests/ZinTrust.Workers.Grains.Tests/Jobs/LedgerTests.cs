using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class LedgerTests
{
    [Fact]
    public async Task ManyJobsAcrossReplicas_NothingLost_NothingRunTwice_NoTerminalStateOverwritten()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2);
        await c.StartWorker("ledger-worker", "q-ledger", concurrency: 8, replicas: 2,
            jobOptions: new JobOptions { Attempts = 3, Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(10) } });
        var random = new Random(42);
        var plan = Enumerable.Range(0, 300).Select(i => new TestJob { Tag = $"l{i}", FailTimes = random.Next(0, 3), SleepMs = random.Next(0, 15) }).ToArray();

        var acks = new List<EnqueueResult>();
        foreach (var chunk in plan.Chunk(50))
        {
            acks.AddRange(await c.Queue("q-ledger").EnqueueBatch(chunk.Select(j => new EnqueueRequest { Payload = ExecutionLedger.Payload(j) }).ToArray()));
        }

        for (int i = 0; i < acks.Count; i++)
        {
            var job = await c.WaitForState("q-ledger", acks[i].JobId, JobState.Completed);
            Assert.Equal(plan[i].FailTimes + 1, job.Attempt);
            Assert.Equal(plan[i].FailTimes + 1, c.Ledger.StartsOf(acks[i].JobId));
        }

        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
        Assert.True(c.Ledger.MaxConcurrent <= 16, $"at most 2 replicas × 8 slots run at once (saw {c.Ledger.MaxConcurrent})");
    }
}

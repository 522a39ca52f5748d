using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Coalesced single enqueues (<see cref="IQueueGrain.EnqueueEach"/>): each job is judged as its own call would be.</summary>
public sealed class EnqueueEachTests
{
    [Fact]
    public async Task EachJob_IsAcceptedOrRefusedOnItsOwn_InOrder_AndOnlyTheAcceptedAreStored()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-each-mixed");
        await queue.Enqueue(new EnqueueRequest { Payload = """{"n":0}""", IdempotencyKey = "earlier" });
        await queue.SetPolicy(new JobOptions { MaxWaiting = 6 });

        var outcomes = await queue.EnqueueEach(
        [
            new EnqueueRequest { Payload = """{"n":1}""" },
            new EnqueueRequest { Payload = """{"n":2}""", Priority = 1000 },                          // invalid priority
            new EnqueueRequest { Payload = """{"n":3}""", IdempotencyKey = "k-3" },
            new EnqueueRequest { Payload = """{"n":3}""", IdempotencyKey = "k-3" },                   // the same job again, same call
            new EnqueueRequest { Payload = """{"n":4}""", IdempotencyKey = "k-3" },                   // the key with another body
            new EnqueueRequest { Payload = """{"n":5}""", IdempotencyKey = "earlier" },               // a key of an earlier call, another body
            new EnqueueRequest { Payload = """{"n":0}""", IdempotencyKey = "earlier" },               // the earlier job itself
            new EnqueueRequest { Payload = """{"n":6}""" },
            new EnqueueRequest { Payload = """{"n":7}""" },
            new EnqueueRequest { Payload = """{"n":8}""" },
            new EnqueueRequest { Payload = """{"n":9}""" },                                           // the 7th waiting job: full
        ]);

        Assert.Equal(11, outcomes.Count);
        Assert.True(outcomes[0].Result is { Created: true, State: JobState.Waiting });
        Assert.Equal(WorkersErrorCodes.InvalidPriority, outcomes[1].ErrorCode);
        Assert.True(outcomes[2].Result!.Created);
        Assert.Equal((outcomes[2].Result!.JobId, false), (outcomes[3].Result!.JobId, outcomes[3].Result!.Created));
        Assert.Equal(WorkersErrorCodes.IdempotencyKeyReused, outcomes[4].ErrorCode);
        Assert.Equal(WorkersErrorCodes.IdempotencyKeyReused, outcomes[5].ErrorCode);
        Assert.False(outcomes[6].Result!.Created);
        Assert.All(outcomes.Skip(7).Take(3), o => Assert.True(o.Result!.Created));
        Assert.Equal(WorkersErrorCodes.QueueFull, outcomes[10].ErrorCode);
        Assert.NotNull(outcomes[10].RetryAfter);
        Assert.Equal(WorkersErrorCodes.QueueFull, outcomes[10].ToException().Code);

        // Stored: the earlier job, n=1, n=3 and n=6..8; nothing of a refused job.
        var waiting = await queue.ListJobs(JobState.Waiting, 0, 100);
        Assert.Equal(["""{"n":0}""", """{"n":1}""", """{"n":3}""", """{"n":6}""", """{"n":7}""", """{"n":8}"""], waiting.Select(j => j.Payload));
        Assert.Equal(6, c.Store.Count("q-each-mixed"));
        Assert.Equal(6, (await queue.GetStats()).Counters.Enqueued);
    }

    [Fact]
    public async Task AFailedStoreWrite_AcknowledgesNone_AndTheQueueReloadsWhatTheStoreHas()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-each-fail");
        await queue.Enqueue(new EnqueueRequest { Payload = "{}" });   // loaded
        c.Store.FailCommitsAfterWriting("q-each-fail", 1);

        var error = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueEach(
            [.. Enumerable.Range(0, 5).Select(i => new EnqueueRequest { Payload = $"[{i}]", IdempotencyKey = $"each-{i}" })]));
        Assert.Equal(WorkersErrorCodes.QueueUnavailable, error.Code);

        // The store has them (written, answer lost): the same call again finds each job by its key and adds none.
        var again = await Eventually.Get(
            async () =>
            {
                try
                {
                    return await queue.EnqueueEach([.. Enumerable.Range(0, 5).Select(i => new EnqueueRequest { Payload = $"[{i}]", IdempotencyKey = $"each-{i}" })]);
                }
                catch (WorkersException unavailable) when (unavailable.Code == WorkersErrorCodes.QueueUnavailable)
                {
                    return null;   // the poisoned activation is still on its way out
                }
            },
            o => o is not null,
            "the reloaded queue answers");
        Assert.All(again!, o => Assert.False(o.Result!.Created));
        Assert.Equal(6, c.Store.Count("q-each-fail"));
    }

    [Fact]
    public async Task AnEmptyOrOversizedCall_IsRefusedWhole()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-each-bounds");

        var empty = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueEach([]));
        var huge = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueEach([.. Enumerable.Range(0, 10_001).Select(_ => new EnqueueRequest { Payload = "{}" })]));

        Assert.Equal((WorkersErrorCodes.InvalidBatch, WorkersErrorCodes.InvalidBatch), (empty.Code, huge.Code));
        Assert.Equal(0, c.Store.Count("q-each-bounds"));
    }
}

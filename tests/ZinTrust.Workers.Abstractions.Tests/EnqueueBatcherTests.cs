using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Abstractions.Tests;

/// <summary>The coalescing of concurrent single enqueues: no added wait, bounded calls, each caller its own answer.</summary>
public sealed class EnqueueBatcherTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    /// <summary>A queue stand-in whose calls the test releases one at a time; it records each call's jobs.</summary>
    private sealed class HeldQueue
    {
        private readonly ConcurrentQueue<TaskCompletionSource> gates = new();
        private int next;

        public ConcurrentQueue<IReadOnlyList<EnqueueRequest>> Calls { get; } = new();

        public ConcurrentQueue<string?> AmbientSeen { get; } = new();

        public bool Hold { get; set; } = true;

        public Func<EnqueueRequest, EnqueueOutcome> Judge { get; set; } = r => EnqueueOutcome.Accepted(new EnqueueResult("id-" + r.Payload, true, JobState.Waiting));

        public Exception? Failure { get; set; }

        public async Task<IReadOnlyList<EnqueueOutcome>> Send(IReadOnlyList<EnqueueRequest> requests)
        {
            var failure = Failure;   // decided when the call goes out
            Calls.Enqueue(requests);
            AmbientSeen.Enqueue(Ambient.Value);
            if (Hold)
            {
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                gates.Enqueue(gate);
                await gate.Task;
            }

            return failure is not null ? throw failure : [.. requests.Select(Judge)];
        }

        public async Task ReleaseNext()
        {
            await Until(() => gates.Count > next);
            gates.ElementAt(next++).SetResult();
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for a call");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    private static EnqueueRequest Job(int n, int size = 1) => new() { Payload = n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(size, '0') };

    [Fact]
    public async Task OneCallerAtATime_SendsEachJobAlone_WithoutWaiting()
    {
        var queue = new HeldQueue { Hold = false };
        var batcher = new EnqueueBatcher(queue.Send);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("id-" + i, (await batcher.EnqueueAsync(Job(i))).JobId);
        }

        Assert.Equal([1, 1, 1, 1, 1], queue.Calls.Select(c => c.Count));
    }

    [Fact]
    public async Task JobsArrivingWhileTheCallsAreOut_GoTogether_InArrivalOrder_WithinTheLimits()
    {
        var queue = new HeldQueue();
        var batcher = new EnqueueBatcher(queue.Send, maxJobs: 40, maxInFlight: 2);

        var first = batcher.EnqueueAsync(Job(0));
        var second = batcher.EnqueueAsync(Job(1));
        var rest = Enumerable.Range(2, 100).Select(i => batcher.EnqueueAsync(Job(i))).ToArray();
        await Until(() => queue.Calls.Count == 2);
        Assert.DoesNotContain(rest, t => t.IsCompleted);

        // Each returning call takes the oldest waiting jobs, at most 40, until none wait.
        for (int released = 0; released < 5; released++)
        {
            await queue.ReleaseNext();
        }

        var all = await Task.WhenAll([first, second, .. rest]);
        Assert.Equal(Enumerable.Range(0, 102).Select(i => "id-" + i), all.Select(a => a.JobId));
        // Calls on their way at once record themselves in any order; each took a run of consecutive jobs (the oldest waiting).
        var runs = queue.Calls.Select(c => c.Select(r => int.Parse(r.Payload, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).OrderBy(r => r[0]).ToArray();
        Assert.Equal([1, 1, 40, 40, 20], runs.Select(r => r.Length));
        Assert.Equal(Enumerable.Range(0, 102), runs.SelectMany(r => r));
    }

    [Fact]
    public async Task ACallCarries_AtMostMaxBytes_ButAJobLargerThanThatGoesAlone()
    {
        var queue = new HeldQueue();
        var batcher = new EnqueueBatcher(queue.Send, maxBytes: 1000, maxInFlight: 1);
        var blocker = batcher.EnqueueAsync(Job(0));
        var small = Enumerable.Range(1, 10).Select(i => batcher.EnqueueAsync(Job(i, size: 200))).ToList();   // 264 counted each
        var large = batcher.EnqueueAsync(Job(11, size: 5000));

        for (int released = 0; released < 6; released++)
        {
            await queue.ReleaseNext();
        }

        await Task.WhenAll([blocker, .. small, large]);
        Assert.Equal([1, 3, 3, 3, 1, 1], queue.Calls.Select(c => c.Count));
        Assert.Equal(5000, queue.Calls.Last()[^1].Payload.Length);
    }

    [Fact]
    public async Task ARefusal_GoesToItsCallerOnly_WithItsCodeAndRetryAfter()
    {
        var queue = new HeldQueue
        {
            Hold = false,
            Judge = r => r.Payload == "2"
                ? EnqueueOutcome.Refused(new WorkersException(WorkersErrorCodes.QueueFull, "full", TimeSpan.FromSeconds(3)))
                : EnqueueOutcome.Accepted(new EnqueueResult("id-" + r.Payload, true, JobState.Waiting)),
        };
        var batcher = new EnqueueBatcher(queue.Send, maxInFlight: 1);

        var calls = Enumerable.Range(0, 4).Select(i => batcher.EnqueueAsync(Job(i))).ToArray();
        var refused = await Assert.ThrowsAsync<WorkersException>(() => calls[2]);
        var accepted = await Task.WhenAll(calls[0], calls[1], calls[3]);

        Assert.Equal((WorkersErrorCodes.QueueFull, TimeSpan.FromSeconds(3)), (refused.Code, refused.RetryAfter));
        Assert.Equal(["id-0", "id-1", "id-3"], accepted.Select(a => a.JobId));
    }

    [Fact]
    public async Task AFailedCall_FailsEveryCallerInIt_AndTheNextCallStillGoes()
    {
        var queue = new HeldQueue();
        var batcher = new EnqueueBatcher(queue.Send, maxInFlight: 1);
        var lost = new TimeoutException("answer lost (test)");
        queue.Failure = lost;
        var first = batcher.EnqueueAsync(Job(0));
        await Until(() => queue.Calls.Count == 1);
        queue.Failure = null;
        var together = Enumerable.Range(1, 3).Select(i => batcher.EnqueueAsync(Job(i))).ToArray();
        await queue.ReleaseNext();   // the first call fails
        await queue.ReleaseNext();   // the three that waited went together

        Assert.Same(lost, await Assert.ThrowsAsync<TimeoutException>(() => first));
        Assert.Equal(["id-1", "id-2", "id-3"], (await Task.WhenAll(together)).Select(a => a.JobId));
        Assert.Equal([1, 3], queue.Calls.Select(c => c.Count));
        queue.Hold = false;
        Assert.Equal("id-9", (await batcher.EnqueueAsync(Job(9))).JobId);
    }

    [Fact]
    public async Task AnAnswerOfTheWrongLength_FailsItsCallers_InsteadOfMisattributing()
    {
        var batcher = new EnqueueBatcher(_ => Task.FromResult<IReadOnlyList<EnqueueOutcome>>([]));

        var error = await Assert.ThrowsAsync<WorkersException>(() => batcher.EnqueueAsync(Job(0)));

        Assert.Equal(WorkersErrorCodes.InternalError, error.Code);
    }

    [Fact]
    public async Task ALoneJobsCall_IsItsCallers_ButAGatheredCall_CarriesNoCallersAmbientState()
    {
        var queue = new HeldQueue();
        var batcher = new EnqueueBatcher(queue.Send, maxInFlight: 1);
        Ambient.Value = "caller-1";
        var first = batcher.EnqueueAsync(Job(0));
        Ambient.Value = "caller-2";
        var second = batcher.EnqueueAsync(Job(1));
        var third = batcher.EnqueueAsync(Job(2));
        Ambient.Value = null;

        await queue.ReleaseNext();
        await queue.ReleaseNext();
        await Task.WhenAll(first, second, third);

        // The first went alone, as its caller's own call (its trace parent, say); the two that gathered went in no one's context.
        Assert.Equal(["caller-1", null], queue.AmbientSeen);
        Assert.Equal([1, 2], queue.Calls.Select(c => c.Count));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10_001, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 65)]
    public void Limits_OutOfRange_AreRefused(int maxJobs, int maxInFlight) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new EnqueueBatcher(_ => Task.FromResult<IReadOnlyList<EnqueueOutcome>>([]), maxJobs, maxInFlight: maxInFlight));
}

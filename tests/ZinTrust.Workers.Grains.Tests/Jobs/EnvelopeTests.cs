using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The job envelope: headers travel with a job from enqueue through the store to the processor.</summary>
public sealed class EnvelopeTests
{
    private static readonly Dictionary<string, string> Headers = new()
    {
        [JobHeaders.TraceParent] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ["tenant"] = "acme",
    };

    [Fact]
    public async Task Headers_ReachTheProcessor_AndSurviveAReload()
    {
        var seen = new ConcurrentQueue<IReadOnlyDictionary<string, string>>();
        var store = new RecordingJobStore();
        await using (var c = await WorkersCluster.StartAsync(silos: 1, store: store, workers: w => w.AddProcessor("headers", ctx =>
        {
            seen.Enqueue(ctx.Headers);
            return Task.FromResult<object?>(null);
        })))
        {
            await c.StartWorker("envelope-worker", "q-envelope", processor: "headers");
            var ack = await c.Queue("q-envelope").Enqueue(new EnqueueRequest { Payload = "{}", Headers = Headers });
            await c.WaitForState("q-envelope", ack.JobId, JobState.Completed);
            await c.Queue("q-envelope").Pause();
            await c.Queue("q-envelope").Enqueue(new EnqueueRequest { Payload = "{}", Headers = Headers });
        }

        Assert.Equal(Headers, Assert.Single(seen));
        await using var again = await WorkersCluster.StartAsync(silos: 1, store: store);
        var waiting = Assert.Single(await again.Queue("q-envelope").ListJobs(JobState.Waiting, 0, 10));
        Assert.Equal(Headers, waiting.Headers);
        await again.Queue("q-envelope").Resume();
        Assert.Equal(Headers, Assert.Single(await again.Queue("q-envelope").Lease("r/0", 1)).Headers);
    }

    [Fact]
    public async Task HeadersOutOfBounds_AreRefused_WithAStableCode_AndAreNoPartOfAnIdempotentBody()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("q-envelope-bounds");
        Dictionary<string, string>[] bad =
        [
            new() { ["Upper"] = "x" },
            new() { ["ok"] = new string('x', JobHeaders.MaxValueLength + 1) },
            new() { ["line"] = "a\nb" },
            Enumerable.Range(0, JobHeaders.MaxCount + 1).ToDictionary(i => $"h{i}", _ => "v"),
        ];
        foreach (var headers in bad)
        {
            var error = await Assert.ThrowsAsync<WorkersException>(() => queue.Enqueue(new EnqueueRequest { Payload = "{}", Headers = headers }));
            Assert.Equal(WorkersErrorCodes.InvalidHeaders, error.Code);
        }

        var first = await queue.Enqueue(new EnqueueRequest { Payload = "{}", IdempotencyKey = "k", Headers = Headers });
        var retry = await queue.Enqueue(new EnqueueRequest { Payload = "{}", IdempotencyKey = "k", Headers = new Dictionary<string, string> { ["tenant"] = "other" } });
        Assert.Equal((first.JobId, false), (retry.JobId, retry.Created));
        Assert.Equal(1, (await queue.GetStats()).Waiting);
    }
}

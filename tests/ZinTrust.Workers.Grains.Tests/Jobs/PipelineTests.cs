using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The processor pipeline: filters around every attempt, in registration order, seeing results not exceptions.</summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task Filters_RunInOrderAroundTheProcessor_SeeEachAttemptsResult_AndCanDeferOrRewrite()
    {
        var trail = new ConcurrentQueue<string>();
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w
            .AddJobFilter(new Trail("outer", trail))
            .AddJobFilter(new Gatekeeper())
            .AddJobFilter(new Trail("inner", trail))
            .AddProcessor("recorder", ctx =>
            {
                trail.Enqueue($"processor {ctx.Payload}");
                return ctx.Payload.Contains("fail", StringComparison.Ordinal) ? throw new InvalidOperationException("asked to fail") : Task.FromResult<object?>(System.Text.Json.JsonDocument.Parse(ctx.Payload).RootElement.Clone());
            }));
        await c.StartWorker("pipeline-worker", "q-pipeline", concurrency: 1, processor: "recorder", jobOptions: new JobOptions { Attempts = 1 });
        var queue = c.Queue("q-pipeline");

        var plain = await queue.Enqueue(new EnqueueRequest { Payload = "\"plain\"" });
        var done = await c.WaitForState("q-pipeline", plain.JobId, JobState.Completed);
        Assert.Equal("\"plain (seen by the gatekeeper)\"", done.Result);
        Assert.Equal(["outer before", "inner before", "processor \"plain (seen by the gatekeeper)\"", "inner after completed", "outer after completed"], trail);

        trail.Clear();
        var failing = await queue.Enqueue(new EnqueueRequest { Payload = "\"fail\"" });
        var dead = await c.WaitForState("q-pipeline", failing.JobId, JobState.Failed);
        Assert.Contains("asked to fail", dead.Error, StringComparison.Ordinal);
        Assert.Equal(["outer before", "inner before", "processor \"fail (seen by the gatekeeper)\"", "inner after failed", "outer after failed"], trail);

        trail.Clear();
        var held = await queue.Enqueue(new EnqueueRequest { Payload = "\"hold\"" });
        // The filters return before the replica's report of the deferral reaches the queue: wait for the queue's state.
        var waiting = await c.WaitForState("q-pipeline", held.JobId, JobState.Delayed);
        Assert.Contains("outer after deferred", trail);
        Assert.Equal(0, waiting.Attempt);   // deferred: the attempt does not count
        Assert.DoesNotContain(trail, t => t.StartsWith("inner", StringComparison.Ordinal) || t.StartsWith("processor", StringComparison.Ordinal));

        var broken = await queue.Enqueue(new EnqueueRequest { Payload = "\"break\"" });
        var failed = await c.WaitForState("q-pipeline", broken.JobId, JobState.Failed);
        Assert.Contains("the gatekeeper broke", failed.Error, StringComparison.Ordinal);
    }

    private sealed class Trail(string name, ConcurrentQueue<string> trail) : JobFilter
    {
        protected override ValueTask<JobAttemptResult?> OnBeforeAsync(JobContext context)
        {
            trail.Enqueue($"{name} before");
            return ValueTask.FromResult<JobAttemptResult?>(null);
        }

        protected override ValueTask OnAfterAsync(JobContext context, JobAttemptResult result)
        {
            trail.Enqueue($"{name} after {result.Kind.ToString().ToLowerInvariant()}");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask OnErrorAsync(JobContext context, Exception error)
        {
            trail.Enqueue($"{name} after failed");
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Defers "hold", throws on "break", and shows the rest of the pipeline a rewritten payload.</summary>
    private sealed class Gatekeeper : IJobFilter
    {
        public ValueTask<JobAttemptResult> InvokeAsync(JobContext context, JobAttemptDelegate next) => context.Payload switch
        {
            "\"hold\"" => ValueTask.FromResult(JobAttemptResult.Deferred(TimeSpan.FromHours(1), "closed for the test")),
            "\"break\"" => throw new InvalidOperationException("the gatekeeper broke"),
            _ => next(new Rewritten(context)),
        };

        private sealed class Rewritten(JobContext inner) : JobContext
        {
            public override string JobId => inner.JobId;

            public override string Queue => inner.Queue;

            public override string WorkerName => inner.WorkerName;

            public override string? JobName => inner.JobName;

            public override long FencingToken => inner.FencingToken;

            public override int Attempt => inner.Attempt;

            public override int MaxAttempts => inner.MaxAttempts;

            public override string Payload => inner.Payload.Insert(inner.Payload.Length - 1, " (seen by the gatekeeper)");

            public override IReadOnlyDictionary<string, string> Headers => inner.Headers;

            public override CancellationToken CancellationToken => inner.CancellationToken;

            public override JobCancellationReason? CancellationReason => inner.CancellationReason;

            public override Task ReportProgressAsync(int percent) => inner.ReportProgressAsync(percent);

            public override void Log(string message) => inner.Log(message);

            public override Task<bool> FlushLogsAsync() => inner.FlushLogsAsync();

            public override Task<T> CallDependencyAsync<T>(string dependency, Func<CancellationToken, Task<T>> call) => inner.CallDependencyAsync(dependency, call);
        }
    }
}

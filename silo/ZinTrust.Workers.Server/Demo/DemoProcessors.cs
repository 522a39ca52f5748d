using System.Text.Json;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>Processors that come with the embedded silo, so a new user can try the system with curl alone.</summary>
public static class DemoProcessors
{
    public const string DemoWorkerName = "demo-worker";
    public const string DemoQueueName = "demo-queue";

    /// <summary><c>echo</c> returns its payload: always available, handy for smoke tests and benchmarks.</summary>
    public static WorkersBuilder AddBuiltInProcessors(this WorkersBuilder workers)
    {
        ArgumentNullException.ThrowIfNull(workers);
        return workers.AddProcessor("echo", static ctx => Task.FromResult<object?>(JsonDocument.Parse(ctx.Payload).RootElement.Clone()));
    }

    /// <summary>
    /// <c>demo</c> understands <c>{"sleepMs": n, "fail": true, "steps": n}</c>:
    /// sleeps (honouring cancellation) while reporting progress and logging each step, then fails or returns a summary.
    /// </summary>
    public static WorkersBuilder AddDemoProcessors(this WorkersBuilder workers)
    {
        ArgumentNullException.ThrowIfNull(workers);
        return workers
            .AddProcessor<DemoPayload>("demo", RunDemo)
            .AddWorker(new WorkerDefinition { Name = DemoWorkerName, QueueName = DemoQueueName, Processor = "demo", Concurrency = 2 });
    }

    private static async Task<object?> RunDemo(DemoPayload payload, JobContext context)
    {
        int steps = Math.Clamp(payload.Steps ?? 4, 1, 100);
        int sleep = Math.Clamp(payload.SleepMs ?? 0, 0, 600_000);
        for (int i = 1; i <= steps; i++)
        {
            if (sleep > 0)
            {
                await Task.Delay(sleep / steps, context.CancellationToken);
            }

            context.Log($"step {i} of {steps} done");
            await context.ReportProgressAsync(i * 100 / steps);
        }

        if (payload.Fail == true)
        {
            throw new InvalidOperationException(payload.Message ?? "demo failure requested");
        }

        return new { processed = true, message = payload.Message, attempt = context.Attempt, worker = context.WorkerName };
    }

    /// <summary>The demo processor's payload.</summary>
    public sealed record DemoPayload(int? SleepMs, bool? Fail, int? Steps, string? Message);
}

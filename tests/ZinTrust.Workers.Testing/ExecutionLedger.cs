using System.Collections.Concurrent;
using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Testing;

/// <summary>A record of every processor execution in a test cluster: which job, which attempt, where, how it ended.</summary>
public sealed class ExecutionLedger
{
    private readonly ConcurrentQueue<Execution> executions = new();
    private int running;
    private int maxRunning;

    public IReadOnlyList<Execution> Executions => executions.ToArray();

    public int MaxConcurrent => Volatile.Read(ref maxRunning);

    public int Running => Volatile.Read(ref running);

    public IReadOnlyList<Execution> For(string jobId) => executions.Where(e => e.JobId == jobId).ToArray();

    public int StartsOf(string jobId) => executions.Count(e => e.JobId == jobId);

    /// <summary>The "test" processor: records the execution, then does what the payload says.</summary>
    public async Task<object?> RunAsync(JobContext context, string silo)
    {
        var job = context.GetPayload<TestJob>() ?? new TestJob();
        var execution = new Execution(context.JobId, context.Attempt, silo, job.Tag, DateTimeOffset.UtcNow) { Queue = context.Queue, Children = context.Children };
        executions.Enqueue(execution);
        int now = Interlocked.Increment(ref running);
        UpdateMax(now);
        try
        {
            for (int i = 1; i <= job.LogLines; i++)
            {
                context.Log($"line {i} of attempt {context.Attempt}");
            }

            if (job.Progress > 0)
            {
                await context.ReportProgressAsync(job.Progress);
            }

            if (job.SleepMs != 0)
            {
                var token = job.IgnoreCancellation ? CancellationToken.None : context.CancellationToken;
                try
                {
                    await Task.Delay(job.SleepMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(job.SleepMs), token);
                }
                catch (OperationCanceledException)
                {
                    execution.CancelledBecause = context.CancellationReason;
                    throw;
                }
            }

            if (job.Unrecoverable)
            {
                throw new UnrecoverableJobException("poison payload");
            }

            if (executions.Count(e => e.JobId == context.JobId) <= job.FailExecutions)
            {
                throw new InvalidOperationException("planned failure of this execution");
            }

            if (context.Attempt <= job.FailTimes)
            {
                throw new InvalidOperationException($"planned failure on attempt {context.Attempt}");
            }

            execution.Finished = true;
            return new { job.Tag, context.Attempt, silo };
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }

    public static string Payload(TestJob job) => JsonSerializer.Serialize(job, JobContext.JsonOptions);

    private void UpdateMax(int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref maxRunning)) && Interlocked.CompareExchange(ref maxRunning, value, seen) != seen)
        {
        }
    }

    public sealed class Execution(string jobId, int attempt, string silo, string? tag, DateTimeOffset startedAt)
    {
        public string JobId { get; } = jobId;

        public int Attempt { get; } = attempt;

        public string Silo { get; } = silo;

        public string? Tag { get; } = tag;

        public DateTimeOffset StartedAt { get; } = startedAt;

        /// <summary>The queue the processor was told the job came from.</summary>
        public string? Queue { get; init; }

        /// <summary>A flow's parent: its children's outcomes as the processor saw them.</summary>
        public IReadOnlyList<ChildOutcome> Children { get; init; } = [];

        private volatile bool finished;

        public bool Finished
        {
            get => finished;
            set => finished = value;
        }

        public JobCancellationReason? CancelledBecause { get; set; }
    }
}

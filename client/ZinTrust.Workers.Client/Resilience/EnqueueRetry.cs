using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace ZinTrust.Workers.Client;

/// <summary>
/// The retry pipeline of enqueues (<see cref="EnqueueRetryOptions"/>), built once from the validated options.
/// Callers give every attempt the same idempotency key; this class only decides whether and when to try again.
/// </summary>
internal sealed partial class EnqueueRetry
{
    private static readonly ResiliencePropertyKey<long> Started = new("zintrust.enqueue.started");
    private static readonly ResiliencePropertyKey<string> Queue = new("zintrust.enqueue.queue");

    private readonly ResiliencePipeline pipeline;
    private readonly TimeProvider time;
    private readonly TimeSpan budget;
    private readonly ILogger logger;

    public EnqueueRetry(IOptions<WorkersClientOptions> options, TimeProvider time, ILogger<EnqueueRetry> logger)
    {
        var retry = options.Value.EnqueueRetry;
        this.time = time;
        this.logger = logger;
        budget = retry.Budget;
        Enabled = retry.MaxAttempts > 1;
        pipeline = !Enabled ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } error && TransientErrors.IsTransient(error) && WithinBudget(args.Context)),
                OnRetry = args =>
                {
                    LogRetry(logger, args.Context.Properties.GetValue(Queue, ""), args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception!.GetType().Name, args.Outcome.Exception);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>False when <see cref="EnqueueRetryOptions.MaxAttempts"/> is 1: one attempt, no idempotency key needed.</summary>
    public bool Enabled { get; }

    /// <summary>How long a key the client made up must be remembered: the retries' budget, plus the longest a sent attempt may
    /// still be on its way (Orleans' response timeout, 30 s by default).</summary>
    public TimeSpan KeyWindow => budget + TimeSpan.FromSeconds(30);

    public async Task<T> ExecuteAsync<T>(string queue, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Started, time.GetTimestamp());
        context.Properties.Set(Queue, queue);
        try
        {
            return await pipeline.ExecuteAsync(static async (ctx, call) => await call(ctx.CancellationToken).ConfigureAwait(false), context, attempt).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private bool WithinBudget(ResilienceContext context)
    {
        bool within = time.GetElapsedTime(context.Properties.GetValue(Started, 0)) < budget;
        if (!within)
        {
            LogBudgetSpent(logger, context.Properties.GetValue(Queue, ""), budget);
        }

        return within;
    }
}

using System.Diagnostics;
using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace ZinTrust.Workers.Redis;

/// <summary>
/// Retries a multi-key call that Redis Cluster refused with <c>TRYAGAIN</c> because the queue's hash slot is being migrated
/// between nodes, for at most <see cref="RedisJobStoreOptions.SlotMigrationRetryTimeout"/>.
/// </summary>
/// <remarks>
/// StackExchange.Redis follows <c>MOVED</c> (the slot moved: it refreshes its slot map and resends) and <c>ASK</c> (the key
/// is already on the importing node: it resends there after <c>ASKING</c>) by itself, for scripts too. It does not retry
/// <c>TRYAGAIN</c>: a node answers it to a command whose keys are partly on this node and partly missing while the slot is
/// migrating or importing. A queue's batch script names four keys (jobs, meta, epoch, idempotency keys), and a queue often
/// lacks some of them (no idempotency keys yet), so every batch of a queue in a migrating slot is answered TRYAGAIN until
/// the slot is handed over. The answer comes before the script runs, so trying again cannot apply a batch twice.
/// </remarks>
internal sealed class SlotMigrationRetry
{
    private static readonly ResiliencePropertyKey<long> Started = new("zintrust.redis.slot-migration.started");

    private readonly ResiliencePipeline pipeline;
    private readonly TimeSpan budget;
    private long retries;

    public SlotMigrationRetry(TimeSpan budget)
    {
        this.budget = budget;
        pipeline = budget <= TimeSpan.Zero ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(5),
                MaxDelay = TimeSpan.FromMilliseconds(250),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } error && IsTryAgain(error) && WithinBudget(args.Context)),
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref retries);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>How many times a call was tried again since start (tests and diagnostics).</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>The first attempt runs directly (the job path pays nothing); a TRYAGAIN answer enters the retry pipeline.</summary>
    public async Task<T> ExecuteAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (RedisServerException ex) when (IsTryAgain(ex) && budget > TimeSpan.Zero)
        {
            Interlocked.Increment(ref retries);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Started, Stopwatch.GetTimestamp());
        try
        {
            return await pipeline.ExecuteAsync(static async (_, call) => await call(), context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // The reply's prefix is Redis' protocol (RedisServerException.Kind would say the same, but is still marked experimental).
    private static bool IsTryAgain(Exception error) =>
        error is RedisServerException server && server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal);

    private bool WithinBudget(ResilienceContext context) =>
        Stopwatch.GetElapsedTime(context.Properties.GetValue(Started, Stopwatch.GetTimestamp())) < budget;
}

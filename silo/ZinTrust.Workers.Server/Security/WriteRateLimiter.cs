using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace ZinTrust.Workers.Server;

/// <summary>
/// One token bucket per API key for write requests; reads, anonymous requests and a limit of 0 pass unlimited.
/// </summary>
/// <remarks>
/// <see cref="PartitionedRateLimiter.Create{TResource,TPartitionKey}"/> runs a 100 ms timer for its whole life to
/// replenish and prune partitions: ten thread-pool wake-ups a second on an idle silo, which was the largest single
/// source of idle CPU (issue 5). Here the buckets are the library's <see cref="TokenBucketRateLimiter"/> without
/// auto-replenishment, topped up from the elapsed time when a request asks for a token, so an idle silo never wakes
/// for them. Partitions are the configured API keys (authenticated names only), so the set is bounded and needs
/// no pruning.
/// </remarks>
public sealed class WriteRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private static readonly RateLimiter Unlimited = RateLimitPartition.GetNoLimiter(0).Factory(0);
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> buckets = new(StringComparer.Ordinal);
    private readonly TokenBucketRateLimiterOptions? options;

    public WriteRateLimiter(int perSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        if (perSecond > 0)
        {
            options = new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(burst, 1),
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            };
        }
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => Limiter(resource).GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var limiter = Limiter(resource);
        (limiter as ReplenishingRateLimiter)?.TryReplenish();
        return limiter.AttemptAcquire(permitCount);
    }

    /// <summary>No request ever queues (queue limit 0): the answer is immediate either way.</summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var bucket in buckets.Values)
            {
                bucket.Dispose();
            }

            buckets.Clear();
        }

        base.Dispose(disposing);
    }

    private RateLimiter Limiter(HttpContext context)
    {
        var method = context.Request.Method;
        var key = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
        if (options is null || key is null || HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return Unlimited;
        }

        return buckets.GetOrAdd(key, static (_, o) => new TokenBucketRateLimiter(o), options);
    }
}

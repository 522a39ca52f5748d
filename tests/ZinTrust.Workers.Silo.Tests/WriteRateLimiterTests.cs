using System.Diagnostics;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The per-key write limiter on its own: buckets refill from elapsed time, with no timer behind them.</summary>
public sealed class WriteRateLimiterTests
{
    [Fact]
    public void AnEmptyBucket_RefillsFromElapsedTime_WithoutATimer()
    {
        using var limiter = new WriteRateLimiter(perSecond: 50, burst: 2);
        var post = Request("ops", HttpMethods.Post);

        Assert.True(Acquire(limiter, post));
        Assert.True(Acquire(limiter, post));
        using (var refused = limiter.AttemptAcquire(post))
        {
            Assert.False(refused.IsAcquired);
            Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
            Assert.InRange(retryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
        }

        // 50 a second: a token is back within 20 ms. Nothing but the next request tops the bucket up.
        var deadline = Stopwatch.StartNew();
        while (!Acquire(limiter, post))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "the bucket never refilled");
            Thread.Sleep(5);
        }

        // Never more than the burst, however long the bucket sat idle.
        Thread.Sleep(100);
        Assert.True(Acquire(limiter, post));
        Assert.True(Acquire(limiter, post));
        Assert.False(Acquire(limiter, post));
    }

    [Fact]
    public void Keys_HaveTheirOwnBuckets_AndReadsAnonymousCallsAndALimitOfZeroAreNotLimited()
    {
        using var limiter = new WriteRateLimiter(perSecond: 1, burst: 1);
        Assert.True(Acquire(limiter, Request("a", HttpMethods.Delete)));
        Assert.False(Acquire(limiter, Request("a", HttpMethods.Put)));
        Assert.True(Acquire(limiter, Request("b", HttpMethods.Post)));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Acquire(limiter, Request("a", HttpMethods.Get)));
            Assert.True(Acquire(limiter, Request("a", HttpMethods.Head)));
            Assert.True(Acquire(limiter, Request(null, HttpMethods.Post)));
        }

        using var off = new WriteRateLimiter(perSecond: 0, burst: 1);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Acquire(off, Request("a", HttpMethods.Post)));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new WriteRateLimiter(perSecond: -1, burst: 1));
    }

    private static bool Acquire(WriteRateLimiter limiter, HttpContext context)
    {
        using var lease = limiter.AttemptAcquire(context);
        return lease.IsAcquired;
    }

    private static DefaultHttpContext Request(string? key, string method)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (key is not null)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, key)], "test"));
        }

        return context;
    }
}

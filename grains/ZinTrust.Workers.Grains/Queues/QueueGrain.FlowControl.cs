using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The queue's limits on job starts, cluster-wide by construction: one queue grain grants every lease of its queue, whatever
/// the silos and replicas asking. <see cref="JobOptions.GlobalConcurrency"/> bounds the jobs active at once;
/// <see cref="JobOptions.RateLimit"/> bounds the leases granted in any window of its duration (the grant times of the last
/// window are kept in memory: a new activation of the queue, after a failover, starts a fresh window). A replica refused for
/// a limit waits as for an empty queue and is woken when a slot frees or the window reopens.
/// </summary>
internal sealed partial class QueueGrain
{
    private readonly Queue<DateTimeOffset> starts = new();
    private DateTimeOffset? rateReopensAt;

    /// <summary>How many of <paramref name="max"/> leases the limits allow now.</summary>
    private int Allowance(int max, DateTimeOffset now)
    {
        if (policy.GlobalConcurrency is { } limit)
        {
            max = Math.Min(max, limit - index.CountOf(JobState.Active));
        }

        if (policy.RateLimit is { } rate)
        {
            while (starts.Count > 0 && starts.Peek() <= now - rate.Duration)
            {
                starts.Dequeue();
            }

            var left = rate.Max - starts.Count;
            if (left <= 0)
            {
                rateReopensAt = starts.Peek() + rate.Duration;
            }

            max = Math.Min(max, left);
        }

        return max;
    }

    private void CountStarts(int leased, DateTimeOffset now)
    {
        if (policy.RateLimit is not { } rate)
        {
            return;
        }

        for (int i = 0; i < leased; i++)
        {
            starts.Enqueue(now);
        }

        while (starts.Count > rate.Max)
        {
            starts.Dequeue();
        }
    }

    /// <summary>After jobs left the active state: replicas refused for the global limit may lease again.</summary>
    private void OnSlotsFreed()
    {
        if (policy.GlobalConcurrency is not null)
        {
            WakeWaiters();
        }
    }

    /// <summary>When the rate window reopened (by the queue's clock), wake the replicas it held back.</summary>
    private void OnRateWindow(DateTimeOffset now)
    {
        if (rateReopensAt is { } reopens && reopens <= now)
        {
            rateReopensAt = null;
            WakeWaiters();
        }
    }

    /// <summary>The limits and whether they hold jobs back now, for the queue's status.</summary>
    private QueueLimits? Limits(DateTimeOffset now) =>
        policy.GlobalConcurrency is null && policy.RateLimit is null
            ? null
            : new QueueLimits
            {
                GlobalConcurrency = policy.GlobalConcurrency,
                RateLimit = policy.RateLimit,
                RateLimitedUntil = rateReopensAt > now ? rateReopensAt : null,
            };
}

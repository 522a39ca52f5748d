using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The queue's limits on job starts, cluster-wide by construction: one queue grain grants every lease of its queue, whatever
/// the silos and replicas asking. <see cref="JobOptions.GlobalConcurrency"/> bounds the jobs active at once;
/// <see cref="JobOptions.RateLimit"/> bounds the leases granted in any window of its duration (the grant times of the last
/// window are kept in memory: a new activation of the queue, after a failover, starts a fresh window). A replica refused for
/// a limit waits as for an empty queue and is woken when a slot frees or the window reopens.
/// <see cref="JobOptions.GroupConcurrency"/> bounds each group's active jobs the same way (see <see cref="FairPick"/>).
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
            // Jobs picked by a lease whose read is still on its way count too: another lease may interleave with that read.
            max = Math.Min(max, limit - index.CountOf(JobState.Active) - index.Leasing);
        }

        if (policy.RateLimit is { } rate)
        {
            while (starts.Count > 0 && starts.Peek() <= now - rate.Duration)
            {
                starts.Dequeue();
            }

            var left = rate.Max - starts.Count - index.Leasing;
            if (left <= 0 && starts.Count > 0)
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

        if (starts.Count == rate.Max)
        {
            // Full: a lease refused while these were on their way (counted as leasing) waits for the window like the rest.
            rateReopensAt = starts.Peek() + rate.Duration;
        }
    }

    /// <summary>After jobs left the active state: replicas refused for the global or a group's limit may lease again.</summary>
    private void OnSlotsFreed()
    {
        if (policy.GlobalConcurrency is not null || policy.GroupConcurrency is not null)
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
        policy.GlobalConcurrency is null && policy.RateLimit is null && policy.GroupConcurrency is null && index.GroupCount == 0
            ? null
            : new QueueLimits
            {
                GlobalConcurrency = policy.GlobalConcurrency,
                RateLimit = policy.RateLimit,
                RateLimitedUntil = rateReopensAt > now ? rateReopensAt : null,
                GroupConcurrency = policy.GroupConcurrency,
                Groups = index.GroupCount,
            };
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// How long a queue's waiting jobs have waited: a count of waiting jobs per second in which they became waiting (enqueued,
/// promoted when their delay ended, retried, released or returned by a stall), so that the oldest one is known without a
/// scan of the waiting set and without a second ordered index of it. Not thread-safe: owned by one queue index.
/// </summary>
/// <remarks>
/// The hot path pays one dictionary update when a job starts waiting and one when it stops (O(1), no allocation while its
/// second already has jobs); memory is one entry per distinct second, not per job. The oldest second is recomputed only when
/// it is asked for after the second that held it emptied: O(seconds with waiting jobs), on the caller's read, never on the
/// hot path. Precision is one second.
/// </remarks>
internal sealed class WaitingAges
{
    private readonly Dictionary<long, int> perSecond = [];
    private long oldest = long.MaxValue;
    private bool stale;

    /// <summary>Counts a job that became waiting at <paramref name="sinceTicks"/> (UTC ticks).</summary>
    public void Add(long sinceTicks)
    {
        long second = sinceTicks / TimeSpan.TicksPerSecond;
        ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(perSecond, second, out _);
        count++;
        if (!stale && second < oldest)
        {
            oldest = second;
        }
    }

    /// <summary>Uncounts a job that stops waiting; <paramref name="sinceTicks"/> is what <see cref="Add"/> was given for it.</summary>
    public void Remove(long sinceTicks)
    {
        long second = sinceTicks / TimeSpan.TicksPerSecond;
        ref int count = ref CollectionsMarshal.GetValueRefOrNullRef(perSecond, second);
        if (Unsafe.IsNullRef(ref count))
        {
            return;
        }

        if (--count == 0)
        {
            perSecond.Remove(second);
            if (second == oldest)
            {
                stale = true;   // found again when asked for, not now
            }
        }
    }

    /// <summary>When the job waiting longest became waiting (to the second), or null when none waits.</summary>
    public DateTimeOffset? Oldest()
    {
        if (stale)
        {
            oldest = perSecond.Count == 0 ? long.MaxValue : perSecond.Keys.Min();
            stale = false;
        }

        return perSecond.Count == 0 ? null : new DateTimeOffset(oldest * TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}

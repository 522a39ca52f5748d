using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The arithmetic of a worker's durable metrics over its <see cref="WorkerMetricsState"/>: what replicas and queues report is
/// cumulative (counters and run-time histograms that only grow while the replica's runner, or the queue's activation, lives), so
/// each report is counted as its difference from the last one counted, into the hour, day and month (UTC) of the moment it is
/// counted. The baselines live in the same state as the buckets, so counting is exact across moves of the worker grain.
/// </summary>
/// <remarks>
/// Where "no double counting" comes from: a replica's report names its runner's incarnation; within one incarnation a report
/// with lower counters than the baseline is an earlier one arriving late (ignored), and a report of an incarnation already
/// replaced is ignored too. A new incarnation counts from zero. What can be lost: runs a replica finished after its last report
/// when it dies without a graceful stop (a graceful stop hands its final counters to the worker).
/// </remarks>
internal sealed class WorkerMetricsBook(WorkerMetricsState state)
{
    public const int HourlyBuckets = WorkerMetricsRetention.Hours;
    public const int DailyBuckets = WorkerMetricsRetention.Days;
    public const int MonthlyBuckets = WorkerMetricsRetention.Months;

    private const int RetiredIncarnations = 8;
    private static readonly TimeSpan BaselineAge = TimeSpan.FromDays(2);

    public static int Retention(WorkerMetricsPeriod period) => WorkerMetricsRetention.Of(period);

    /// <summary>The first instant (UTC) of the hour, day or month holding <paramref name="at"/>.</summary>
    public static DateTimeOffset StartOf(WorkerMetricsPeriod period, DateTimeOffset at)
    {
        var u = at.ToUniversalTime();
        return period switch
        {
            WorkerMetricsPeriod.Hour => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero),
            WorkerMetricsPeriod.Day => new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(u.Year, u.Month, 1, 0, 0, 0, TimeSpan.Zero),
        };
    }

    public static DateTimeOffset EndOf(WorkerMetricsPeriod period, DateTimeOffset start) => period switch
    {
        WorkerMetricsPeriod.Hour => start.AddHours(1),
        WorkerMetricsPeriod.Day => start.AddDays(1),
        _ => start.AddMonths(1),
    };

    /// <summary>The oldest bucket start kept at <paramref name="now"/>.</summary>
    public static DateTimeOffset Oldest(WorkerMetricsPeriod period, DateTimeOffset now)
    {
        var current = StartOf(period, now);
        return period switch
        {
            WorkerMetricsPeriod.Hour => current.AddHours(1 - HourlyBuckets),
            WorkerMetricsPeriod.Day => current.AddDays(1 - DailyBuckets),
            _ => current.AddMonths(1 - MonthlyBuckets),
        };
    }

    /// <summary>
    /// A collection at <paramref name="now"/> while the worker runs: the hour, day and month get a bucket (empty if nothing ran;
    /// a period without one was not observed), and buckets past retention go. True when the stored figures changed.
    /// </summary>
    public bool Observe(DateTimeOffset now)
    {
        state.CollectingSince ??= now;
        state.CollectedAt = now;
        bool changed = EnsureBuckets(now);
        foreach (var period in Enum.GetValues<WorkerMetricsPeriod>())
        {
            var oldest = Oldest(period, now);
            changed |= Buckets(period).RemoveAll(b => b.Start < oldest) > 0;
        }

        return changed;
    }

    /// <summary>
    /// Drops the baselines of replicas and queues the worker no longer has (scaled down, moved to another region, a queue no
    /// longer consumed) once they have not been seen for two days. Those still in <paramref name="replicas"/> and
    /// <paramref name="queues"/> are kept whatever their age: dropping a live one would count its runs again.
    /// </summary>
    public bool Forget(DateTimeOffset now, IReadOnlySet<string> replicas, IReadOnlySet<string> queues)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(queues);
        var stale = now - BaselineAge;
        int removed = 0;
        foreach (var (key, baseline) in state.Replicas.ToArray())
        {
            if (!replicas.Contains(key) && baseline.SeenAt < stale && state.Replicas.Remove(key))
            {
                removed++;
            }
        }

        foreach (var (key, baseline) in state.Queues.ToArray())
        {
            if (!queues.Contains(key) && baseline.SeenAt < stale && state.Queues.Remove(key))
            {
                removed++;
            }
        }

        return removed > 0;
    }

    /// <summary>Counts what the replica <paramref name="replicaId"/> ran since it was last counted; true when that was anything.</summary>
    public bool AddReplica(string replicaId, ReplicaStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Incarnation is null && status.Completed == 0 && status.Failed == 0)
        {
            return false;   // no runner there (or an idle one of an earlier build): nothing to count
        }

        state.Replicas.TryGetValue(replicaId, out var baseline);
        ReplicaMetricsBaseline? since;
        if (baseline is null)
        {
            since = null;
        }
        else if (status.Incarnation is { } incarnation)
        {
            if (incarnation == baseline.Incarnation)
            {
                if (status.Completed < baseline.Completed || status.Failed < baseline.Failed)
                {
                    return false;   // an earlier report of what was already counted, arriving late
                }

                since = baseline;
            }
            else if (baseline.Retired.Contains(incarnation))
            {
                return false;   // a late report of a runner that has been replaced
            }
            else
            {
                since = null;   // a new runner: all it ran is new
            }
        }
        else
        {
            // A replica of an earlier build names no incarnation: a drop of its counters is taken as a restart.
            bool grew = baseline.Incarnation is null && status.Completed >= baseline.Completed && status.Failed >= baseline.Failed;
            since = grew ? baseline : null;
        }

        var runTimes = RunTimeCounts(status);
        long completed = status.Completed - (since?.Completed ?? 0);
        long failed = status.Failed - (since?.Failed ?? 0);
        long ticks = Math.Max(0, status.TotalDuration.Ticks - (since?.DurationTicks ?? 0));
        var newRuns = Difference(runTimes, since?.RunTimes);
        var retired = baseline?.Retired ?? [];
        if (baseline?.Incarnation is { } old && old != status.Incarnation && !retired.Contains(old))
        {
            retired = [.. retired.TakeLast(RetiredIncarnations - 1), old];
        }

        state.Replicas[replicaId] = new ReplicaMetricsBaseline
        {
            Incarnation = status.Incarnation,
            Completed = status.Completed,
            Failed = status.Failed,
            DurationTicks = status.TotalDuration.Ticks,
            RunTimes = runTimes,
            Retired = retired,
            SeenAt = now,
        };
        if (completed == 0 && failed == 0 && newRuns.Count == 0)
        {
            return false;
        }

        Add(now, b =>
        {
            b.Completed += completed;
            b.Failed += failed;
            b.DurationTicks += ticks;
            foreach (var (bucket, count) in newRuns)
            {
                b.RunTimes[bucket] = b.RunTimes.GetValueOrDefault(bucket) + count;
            }
        });
        return true;
    }

    /// <summary>Counts the retries and dead letters of a queue the worker consumes since they were last counted.</summary>
    public bool AddQueue(QueueStats stats, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var counters = stats.Counters;
        state.Queues.TryGetValue(stats.Queue, out var baseline);
        long retried;
        long deadLettered;
        if (baseline is not null && counters.Since < baseline.Since)
        {
            return false;   // a report of an earlier activation of the queue, arriving late
        }

        if (baseline is not null && counters.Since == baseline.Since)
        {
            if (counters.Retried < baseline.Retried || counters.DeadLettered < baseline.DeadLettered)
            {
                return false;
            }

            retried = counters.Retried - baseline.Retried;
            deadLettered = counters.DeadLettered - baseline.DeadLettered;
        }
        else if (baseline is null && counters.Since < state.CollectingSince)
        {
            // The queue counted before this worker collected (before it existed, or before an upgrade): a baseline only.
            retried = 0;
            deadLettered = 0;
        }
        else
        {
            retried = counters.Retried;   // the queue's activation is newer than the last count: all it counted is new
            deadLettered = counters.DeadLettered;
        }

        state.Queues[stats.Queue] = new QueueMetricsBaseline { Since = counters.Since, Retried = counters.Retried, DeadLettered = counters.DeadLettered, SeenAt = now };
        if (retried == 0 && deadLettered == 0)
        {
            return false;
        }

        Add(now, b =>
        {
            b.Retried += retried;
            b.DeadLettered += deadLettered;
        });
        return true;
    }

    /// <summary>The newest <paramref name="limit"/> buckets of <paramref name="period"/> still kept at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<WorkerMetricsBucket> Read(WorkerMetricsPeriod period, int limit, DateTimeOffset now)
    {
        var oldest = Oldest(period, now);
        return [.. Buckets(period).Where(b => b.Start >= oldest).TakeLast(Math.Clamp(limit, 1, Retention(period))).Select(b => ToBucket(period, b))];
    }

    public static WorkerMetricsBucket ToBucket(WorkerMetricsPeriod period, MetricsBucketState b)
    {
        ArgumentNullException.ThrowIfNull(b);
        long runs = b.Completed + b.Failed;
        var present = b.RunTimes.Where(r => r.Value > 0).Select(r => r.Key).ToArray();
        return new WorkerMetricsBucket
        {
            Start = b.Start,
            End = EndOf(period, b.Start),
            Completed = b.Completed,
            Failed = b.Failed,
            Retried = b.Retried,
            DeadLettered = b.DeadLettered,
            Average = runs == 0 ? null : TimeSpan.FromTicks(b.DurationTicks / runs),
            Min = present.Length == 0 ? null : RunTimeHistogram.Estimate(present.Min()),
            Max = present.Length == 0 ? null : RunTimeHistogram.Estimate(present.Max()),
            P50 = RunTimeHistogram.Percentile(b.RunTimes, 0.50),
            P95 = RunTimeHistogram.Percentile(b.RunTimes, 0.95),
            P99 = RunTimeHistogram.Percentile(b.RunTimes, 0.99),
            UpdatedAt = b.UpdatedAt,
        };
    }

    /// <summary>
    /// A replica's run-time counts, sparse. Replicas of earlier builds send only the coarse <see cref="DurationHistogram"/>; each
    /// of its buckets is counted at its upper bound (within 25 % then, as that histogram is), which keeps the counts cumulative.
    /// </summary>
    private static Dictionary<int, long> RunTimeCounts(ReplicaStatus status)
    {
        var counts = new Dictionary<int, long>();
        if (status.RunTimeBuckets is { } fine)
        {
            for (int i = 0; i < Math.Min(fine.Length, RunTimeHistogram.Buckets); i++)
            {
                if (fine[i] > 0)
                {
                    counts[i] = fine[i];
                }
            }
        }
        else if (status.DurationBuckets is { } coarse)
        {
            for (int k = 0; k < coarse.Length; k++)
            {
                if (coarse[k] > 0)
                {
                    int bucket = RunTimeHistogram.BucketOf(TimeSpan.FromMilliseconds(0.1 * Math.Pow(1.25, k)));
                    counts[bucket] = counts.GetValueOrDefault(bucket) + coarse[k];
                }
            }
        }

        return counts;
    }

    private static Dictionary<int, long> Difference(Dictionary<int, long> now, Dictionary<int, long>? before)
    {
        var delta = new Dictionary<int, long>();
        foreach (var (bucket, count) in now)
        {
            long d = count - (before?.GetValueOrDefault(bucket) ?? 0);
            if (d > 0)
            {
                delta[bucket] = d;
            }
        }

        return delta;
    }

    private void Add(DateTimeOffset now, Action<MetricsBucketState> change)
    {
        EnsureBuckets(now);
        foreach (var period in Enum.GetValues<WorkerMetricsPeriod>())
        {
            var bucket = Find(Buckets(period), StartOf(period, now))!;
            change(bucket);
            bucket.UpdatedAt = now;
        }
    }

    private List<MetricsBucketState> Buckets(WorkerMetricsPeriod period) => period switch
    {
        WorkerMetricsPeriod.Hour => state.Hours,
        WorkerMetricsPeriod.Day => state.Days,
        _ => state.Months,
    };

    private static MetricsBucketState? Find(List<MetricsBucketState> buckets, DateTimeOffset start)
    {
        // The newest is the usual one; the clock of a silo the worker moved to may be behind, so look further back too.
        for (int i = buckets.Count - 1; i >= 0; i--)
        {
            if (buckets[i].Start == start)
            {
                return buckets[i];
            }

            if (buckets[i].Start < start)
            {
                return null;
            }
        }

        return null;
    }

    private static void Insert(List<MetricsBucketState> buckets, MetricsBucketState bucket)
    {
        int i = buckets.Count;
        while (i > 0 && buckets[i - 1].Start > bucket.Start)
        {
            i--;
        }

        buckets.Insert(i, bucket);
    }

    private bool EnsureBuckets(DateTimeOffset now)
    {
        bool created = false;
        foreach (var period in Enum.GetValues<WorkerMetricsPeriod>())
        {
            var buckets = Buckets(period);
            var start = StartOf(period, now);
            if (Find(buckets, start) is null)
            {
                Insert(buckets, new MetricsBucketState { Start = start, UpdatedAt = now });
                created = true;
            }
        }

        return created;
    }
}

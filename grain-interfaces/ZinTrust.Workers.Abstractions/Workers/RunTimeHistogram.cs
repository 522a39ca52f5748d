namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Run times in logarithmic buckets, each estimate within <see cref="RelativeError"/> (5 %) of every run its bucket holds: the
/// DDSketch scheme over a fixed range. Bucket 0 holds runs of at most 1 µs; bucket k ≥ 1 holds runs in (γ^(k−1), γ^k] µs with
/// γ = 1.05 / 0.95 ≈ 1.105, and is estimated as 2γ^k / (1 + γ) µs; the last bucket (k = 255, from γ^254 µs, about 30 h) also counts every
/// longer run, which its estimate then understates. Counts are exact and add up: two histograms merge by adding their counts, so
/// replicas, hours, days and months combine without re-reading a run. Recording is lock-free.
/// </summary>
/// <remarks>
/// A percentile is the estimate of the bucket holding the run of rank ⌈q·n⌉, so it is within 5 % of that run's time (for runs
/// between 1 µs and about 33 h). Kept beside <see cref="DurationHistogram"/> (25 % buckets, the replicas' original figure, still
/// read by canaries and by replicas of earlier builds) rather than replacing its wire format.
/// </remarks>
public sealed class RunTimeHistogram
{
    public const int Buckets = 256;

    /// <summary>The most an estimate differs from a run in its bucket, relative to the run.</summary>
    public const double RelativeError = 0.05;

    private const double TicksPerMicrosecond = 10;
    private static readonly double Gamma = (1 + RelativeError) / (1 - RelativeError);
    private static readonly double LogGamma = Math.Log(Gamma);
    private readonly long[] counts = new long[Buckets];

    /// <summary>The bucket a run of <paramref name="duration"/> falls in.</summary>
    public static int BucketOf(TimeSpan duration)
    {
        double microseconds = duration.Ticks / TicksPerMicrosecond;
        if (!(microseconds > 1))
        {
            return 0;
        }

        double k = Math.Ceiling(Math.Log(microseconds) / LogGamma);
        return k >= Buckets - 1 ? Buckets - 1 : Math.Max(1, (int)k);
    }

    /// <summary>What a run in <paramref name="bucket"/> is taken to have lasted.</summary>
    public static TimeSpan Estimate(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, Buckets);
        return bucket == 0
            ? TimeSpan.FromTicks((long)TicksPerMicrosecond)
            : TimeSpan.FromTicks((long)Math.Round(TicksPerMicrosecond * 2 * Math.Pow(Gamma, bucket) / (1 + Gamma)));
    }

    public void Record(TimeSpan duration) => Interlocked.Increment(ref counts[BucketOf(duration)]);

    /// <summary>The counts so far, one per bucket (they only grow).</summary>
    public long[] Snapshot()
    {
        var copy = new long[Buckets];
        for (int i = 0; i < Buckets; i++)
        {
            copy[i] = Interlocked.Read(ref counts[i]);
        }

        return copy;
    }

    /// <summary>
    /// The <paramref name="quantile"/> (0..1) of the runs in <paramref name="counts"/> (bucket → count, in any order); null when
    /// there are none.
    /// </summary>
    public static TimeSpan? Percentile(IEnumerable<KeyValuePair<int, long>> counts, double quantile)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var ordered = counts.Where(c => c.Value > 0).OrderBy(c => c.Key).ToArray();
        long total = ordered.Sum(c => c.Value);
        if (total == 0)
        {
            return null;
        }

        long rank = Math.Clamp((long)Math.Ceiling(Math.Clamp(quantile, 0, 1) * total), 1, total);
        long seen = 0;
        foreach (var (bucket, count) in ordered)
        {
            seen += count;
            if (seen >= rank)
            {
                return Estimate(bucket);
            }
        }

        return Estimate(ordered[^1].Key);
    }
}

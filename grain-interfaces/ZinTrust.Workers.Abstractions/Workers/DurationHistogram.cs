namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Run times in exponential buckets: bucket k holds durations up to 0.1 ms × 1.25^k (k = 0..79, the last also
/// everything longer, about 75 minutes and up). Recording is lock-free; a percentile is the upper bound of the
/// bucket it falls in, so it overstates by at most 25 %. Counts are exact: every run is counted once.
/// </summary>
public sealed class DurationHistogram
{
    public const int Buckets = 80;
    private const double First = 0.1;
    private const double Growth = 1.25;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] counts = new long[Buckets];

    public void Record(TimeSpan duration)
    {
        double ms = duration.TotalMilliseconds;
        int k = ms <= First ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(Math.Log(ms / First) / LogGrowth));
        Interlocked.Increment(ref counts[k]);
    }

    public long[] Snapshot()
    {
        var copy = new long[Buckets];
        for (int i = 0; i < Buckets; i++)
        {
            copy[i] = Interlocked.Read(ref counts[i]);
        }

        return copy;
    }

    /// <summary>Adds bucket counts (of replicas) into one.</summary>
    public static long[] Merge(IEnumerable<long[]?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var sum = new long[Buckets];
        foreach (var part in parts)
        {
            for (int i = 0; part is not null && i < Math.Min(Buckets, part.Length); i++)
            {
                sum[i] += part[i];
            }
        }

        return sum;
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of the counted runs; null when there are none.</summary>
    public static TimeSpan? Percentile(long[] buckets, double quantile)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        long total = buckets.Sum();
        if (total == 0)
        {
            return null;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int k = 0; k < buckets.Length; k++)
        {
            seen += buckets[k];
            if (seen >= rank)
            {
                return TimeSpan.FromMilliseconds(First * Math.Pow(Growth, k));
            }
        }

        return TimeSpan.FromMilliseconds(First * Math.Pow(Growth, buckets.Length - 1));
    }
}

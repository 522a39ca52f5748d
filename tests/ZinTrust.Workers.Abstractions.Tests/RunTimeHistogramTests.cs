using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Abstractions.Tests;

public sealed class RunTimeHistogramTests
{
    private const double Bound = RunTimeHistogram.RelativeError + 1e-9;

    [Fact]
    public void EveryEstimate_IsWithin5Percent_OfEachRunItsBucketHolds()
    {
        // Durations from 2 µs to 24 h, 40 per factor of ten: each lands in a bucket whose estimate is within the bound.
        for (double exponent = Math.Log10(2); exponent <= Math.Log10(86_400_000_000); exponent += 0.025)
        {
            var run = TimeSpan.FromTicks((long)Math.Round(10 * Math.Pow(10, exponent)));
            var estimate = RunTimeHistogram.Estimate(RunTimeHistogram.BucketOf(run));
            Assert.InRange((double)estimate.Ticks / run.Ticks, 1 - Bound, 1 + Bound);
        }
    }

    [Fact]
    public void Percentiles_OfAKnownDistribution_AreWithin5PercentOfTheExactRanks()
    {
        // A log-normal spread of 20 000 run times (median ~120 ms), from a fixed seed: p50, p95, p99 and the extremes
        // each within 5 % of the exact order statistic of rank ceil(q·n).
        var random = new Random(17);
        var runs = Enumerable.Range(0, 20_000)
            .Select(_ => TimeSpan.FromMilliseconds(Math.Exp(Math.Log(120) + 1.1 * Normal(random))))
            .ToArray();
        var histogram = new RunTimeHistogram();
        foreach (var run in runs)
        {
            histogram.Record(run);
        }

        var counts = Sparse(histogram.Snapshot());
        var sorted = runs.Order().ToArray();
        Assert.Equal(runs.Length, counts.Sum(c => c.Value));
        foreach (var q in new[] { 0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 })
        {
            var exact = sorted[Math.Max(1, (int)Math.Ceiling(q * sorted.Length)) - 1];
            var estimate = RunTimeHistogram.Percentile(counts, q)!.Value;
            Assert.InRange(estimate.TotalMilliseconds / exact.TotalMilliseconds, 1 - Bound, 1 + Bound);
        }
    }

    [Fact]
    public void Merging_AddsCounts_SoPercentilesOfTheWholeMatchOneHistogramOfEveryRun()
    {
        var a = new RunTimeHistogram();
        var b = new RunTimeHistogram();
        var all = new RunTimeHistogram();
        for (int ms = 1; ms <= 1000; ms++)
        {
            (ms % 3 == 0 ? a : b).Record(TimeSpan.FromMilliseconds(ms));
            all.Record(TimeSpan.FromMilliseconds(ms));
        }

        var merged = new Dictionary<int, long>();
        foreach (var (bucket, count) in Sparse(a.Snapshot()).Concat(Sparse(b.Snapshot())))
        {
            merged[bucket] = merged.GetValueOrDefault(bucket) + count;
        }

        Assert.Equal(Sparse(all.Snapshot()), merged.OrderBy(p => p.Key));
        Assert.Equal(RunTimeHistogram.Percentile(Sparse(all.Snapshot()), 0.95), RunTimeHistogram.Percentile(merged, 0.95));
    }

    [Fact]
    public void TinyHugeAndNoRuns_HaveTheirPlaces()
    {
        Assert.Equal(0, RunTimeHistogram.BucketOf(TimeSpan.Zero));
        Assert.Equal(0, RunTimeHistogram.BucketOf(TimeSpan.FromTicks(-5)));
        Assert.Equal(0, RunTimeHistogram.BucketOf(TimeSpan.FromTicks(10)));   // 1 µs
        Assert.Equal(1, RunTimeHistogram.BucketOf(TimeSpan.FromTicks(11)));
        Assert.Equal(RunTimeHistogram.Buckets - 1, RunTimeHistogram.BucketOf(TimeSpan.FromDays(30)));   // counted, understated
        Assert.Equal(RunTimeHistogram.Buckets - 1, RunTimeHistogram.BucketOf(TimeSpan.MaxValue));
        Assert.Null(RunTimeHistogram.Percentile([], 0.5));
        Assert.Null(RunTimeHistogram.Percentile([new KeyValuePair<int, long>(3, 0)], 0.5));
    }

    private static KeyValuePair<int, long>[] Sparse(long[] dense) =>
        [.. dense.Select((count, bucket) => new KeyValuePair<int, long>(bucket, count)).Where(p => p.Value > 0)];

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

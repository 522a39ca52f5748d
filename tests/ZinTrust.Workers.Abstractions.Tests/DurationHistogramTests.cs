using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Abstractions.Tests;

public sealed class DurationHistogramTests
{
    [Fact]
    public void Percentiles_AreBucketUpperBounds_AtMost25PercentHigh()
    {
        var h = new DurationHistogram();
        for (int ms = 1; ms <= 100; ms++)
        {
            h.Record(TimeSpan.FromMilliseconds(ms));
        }

        var buckets = h.Snapshot();
        Assert.Equal(100, buckets.Sum());
        foreach (var (q, exact) in new[] { (0.5, 50.0), (0.95, 95.0), (0.99, 99.0), (1.0, 100.0) })
        {
            var p = DurationHistogram.Percentile(buckets, q)!.Value.TotalMilliseconds;
            Assert.InRange(p, exact, exact * 1.25);
        }
    }

    [Fact]
    public void IdenticalRuns_AreEachCounted_AndMergeAddsReplicas()
    {
        var a = new DurationHistogram();
        var b = new DurationHistogram();
        for (int i = 0; i < 1000; i++)
        {
            a.Record(TimeSpan.FromMilliseconds(5));
        }

        b.Record(TimeSpan.FromMinutes(200));   // beyond the last bucket: still counted

        var merged = DurationHistogram.Merge([a.Snapshot(), b.Snapshot(), null]);

        Assert.Equal(1001, merged.Sum());
        Assert.InRange(DurationHistogram.Percentile(merged, 0.5)!.Value.TotalMilliseconds, 5, 6.25);
        Assert.Null(DurationHistogram.Percentile(new long[DurationHistogram.Buckets], 0.5));
    }
}

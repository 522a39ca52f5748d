using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A trend of a series of timed values: an ordinary least-squares line through the points (time in hours), whose slope is the
/// rate per hour. The direction is rising or falling when the line moves, over the span of the points, by at least 5 % of the
/// mean's magnitude and at least the metric's smallest meaningful step (one percentage point, one job, one second, one score
/// point); otherwise steady. Fewer than three points (or all at one time) give no direction.
/// </summary>
internal static class TrendMath
{
    public const double RelativeChange = 0.05;
    public const int MinPoints = 3;

    public static MetricTrend Fit(string metric, AlertSubjectKind kind, string subject, string unit, string source, double minimumStep, IReadOnlyList<(DateTimeOffset At, double Value)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var trend = new MetricTrend { Metric = metric, SubjectKind = kind, Subject = subject, Unit = unit, Source = source, Points = points.Count };
        if (points.Count == 0)
        {
            return trend;
        }

        var origin = points[0].At;
        double n = points.Count, sumX = 0, sumY = 0, min = double.MaxValue, max = double.MinValue;
        foreach (var (at, value) in points)
        {
            sumX += (at - origin).TotalHours;
            sumY += value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        double meanX = sumX / n, meanY = sumY / n, sxx = 0, sxy = 0;
        foreach (var (at, value) in points)
        {
            double dx = (at - origin).TotalHours - meanX;
            sxx += dx * dx;
            sxy += dx * (value - meanY);
        }

        double? slope = points.Count >= 2 && sxx > 0 ? sxy / sxx : null;
        double span = (points[^1].At - origin).TotalHours;
        var direction = TrendDirection.Unknown;
        if (slope is { } rate && points.Count >= MinPoints)
        {
            double change = rate * span;
            double significant = Math.Max(RelativeChange * Math.Abs(meanY), minimumStep);
            direction = change >= significant ? TrendDirection.Rising : change <= -significant ? TrendDirection.Falling : TrendDirection.Steady;
        }

        return trend with
        {
            FirstAt = origin,
            LastAt = points[^1].At,
            First = points[0].Value,
            Last = points[^1].Value,
            Mean = Math.Round(meanY, 4),
            Min = min,
            Max = max,
            RatePerHour = slope is { } s ? Math.Round(s, 4) : null,
            Direction = direction,
        };
    }
}

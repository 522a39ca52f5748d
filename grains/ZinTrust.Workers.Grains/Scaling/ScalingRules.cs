using System.Globalization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>What the auto-scaler knows about one worker at one evaluation.</summary>
public sealed record ScalingInputs(
    int Current,
    AutoScalingOptions Options,
    int Waiting,
    double Throughput,
    double CpuPercent,
    double CpuCeiling,
    DateTimeOffset Now,
    DateTimeOffset? LastChangeAt,
    TimeSpan Interval,
    bool OffPeak,
    double OffPeakReduction);

/// <summary>
/// The auto-scaler's rules, in order (docs/operations.md lists them):
/// <list type="number">
/// <item>off-peak caps the replicas at max(min, ⌈max × (1 − reduction)⌉);</item>
/// <item>within the cooldown after the last change nothing changes;</item>
/// <item>below the minimum or above the cap: back inside;</item>
/// <item>more than scaleUpThreshold jobs waiting that would not drain within one interval at the measured
/// throughput, with the silos' CPU under the ceiling: up by half the current count (at least one), to the cap;</item>
/// <item>fewer than scaleDownThreshold waiting: down by one, to the minimum;</item>
/// <item>otherwise unchanged.</item>
/// </list>
/// </summary>
public static class ScalingRules
{
    public static (int Target, string Reason) Decide(ScalingInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var o = inputs.Options;
        int current = inputs.Current;
        int cap = inputs.OffPeak ? Math.Max(o.MinReplicas, (int)Math.Ceiling(o.MaxReplicas * (1 - inputs.OffPeakReduction))) : o.MaxReplicas;
        string capName = inputs.OffPeak ? $"the off-peak cap {cap}" : $"the maximum {cap}";
        if (inputs.LastChangeAt is { } last && inputs.Now - last < o.Cooldown)
        {
            return (current, $"cooldown until {(last + o.Cooldown).ToString("u", CultureInfo.InvariantCulture)}");
        }

        if (current < o.MinReplicas)
        {
            return (o.MinReplicas, $"below the minimum {o.MinReplicas}");
        }

        if (current > cap)
        {
            return (cap, $"above {capName}");
        }

        if (inputs.Waiting > o.ScaleUpThreshold)
        {
            double drainSeconds = inputs.Throughput > 0 ? inputs.Waiting / inputs.Throughput : double.PositiveInfinity;
            if (drainSeconds <= inputs.Interval.TotalSeconds)
            {
                return (current, F($"backlog {inputs.Waiting} drains in {drainSeconds:0.#} s at {inputs.Throughput:0.#}/s"));
            }

            if (inputs.CpuPercent >= inputs.CpuCeiling)
            {
                return (current, F($"backlog {inputs.Waiting}, but the silos' CPU {inputs.CpuPercent:0.#} % is at the ceiling {inputs.CpuCeiling:0.#} %"));
            }

            int target = Math.Min(cap, current + Math.Max(1, (int)Math.Ceiling(current * 0.5)));
            return target == current
                ? (current, $"backlog {inputs.Waiting} > {o.ScaleUpThreshold}, already at {capName}")
                : (target, $"backlog {inputs.Waiting} > {o.ScaleUpThreshold}");
        }

        if (inputs.Waiting < o.ScaleDownThreshold && current > o.MinReplicas)
        {
            return (current - 1, $"backlog {inputs.Waiting} < {o.ScaleDownThreshold}");
        }

        return (current, "within the thresholds");
    }

    /// <summary>Whether <paramref name="now"/> (UTC) falls in an HH:MM-HH:MM window (which may wrap midnight).</summary>
    public static bool InWindow(DateTimeOffset now, TimeOnly start, TimeOnly end)
    {
        var t = TimeOnly.FromTimeSpan(now.UtcDateTime.TimeOfDay);
        return start <= end ? t >= start && t < end : t >= start || t < end;
    }

    /// <summary>Parses WORKER_OFF_PEAK_SCHEDULE (HH:MM-HH:MM).</summary>
    public static bool TryParseWindow(string? value, out TimeOnly start, out TimeOnly end)
    {
        start = end = default;
        var parts = value?.Split('-', StringSplitOptions.TrimEntries);
        return parts is { Length: 2 }
            && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out start)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out end)
            && start != end;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

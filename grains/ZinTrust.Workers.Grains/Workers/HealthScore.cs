using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>One sampling window's inputs to the health score.</summary>
public sealed record HealthInputs(
    long Completed,
    long Failed,
    TimeSpan AverageDuration,
    TimeSpan? Baseline,
    bool? CheckPassing,
    CircuitState Circuit,
    long Stalls);

/// <summary>
/// The health score (documented in docs/operations.md):
/// <list type="bullet">
/// <item>success (40 %): completed ÷ finished attempts in the window, ×100; 100 when nothing ran;</item>
/// <item>latency (15 %): the window's mean run time against the baseline (a moving average of earlier windows):
/// 100 up to 1.5× the baseline, falling linearly to 0 at 4×; 100 without a baseline or runs;</item>
/// <item>health check (25 %): 100 passing or none configured, 0 failing;</item>
/// <item>circuit (10 %): closed 100, half-open 50, open 0;</item>
/// <item>stalls (10 %): 100 − 25 per stalled lease in the window, at least 0.</item>
/// </list>
/// 80 and above is healthy, 50–79 degraded, below 50 critical.
/// </summary>
public static class HealthScore
{
    public const double BaselineWeight = 0.2;

    public static WorkerHealthScore Compute(HealthInputs inputs, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        long runs = inputs.Completed + inputs.Failed;
        int success = runs == 0 ? 100 : (int)Math.Round(100.0 * inputs.Completed / runs, MidpointRounding.AwayFromZero);
        int latency = 100;
        if (runs > 0 && inputs.Baseline is { Ticks: > 0 } baseline)
        {
            double ratio = inputs.AverageDuration / baseline;
            latency = ratio <= 1.5 ? 100 : ratio >= 4 ? 0 : (int)Math.Round(100 * (4 - ratio) / 2.5, MidpointRounding.AwayFromZero);
        }

        int check = inputs.CheckPassing == false ? 0 : 100;
        int circuit = inputs.Circuit switch { CircuitState.Open => 0, CircuitState.HalfOpen => 50, _ => 100 };
        int stalls = (int)Math.Max(0, 100 - (25 * inputs.Stalls));
        int score = (int)Math.Round((0.4 * success) + (0.15 * latency) + (0.25 * check) + (0.1 * circuit) + (0.1 * stalls), MidpointRounding.AwayFromZero);
        return new WorkerHealthScore
        {
            Score = score,
            State = StateOf(score),
            SuccessPart = success,
            LatencyPart = latency,
            CheckPart = check,
            CircuitPart = circuit,
            StallPart = stalls,
            At = at,
            Runs = runs,
            Baseline = inputs.Baseline,
        };
    }

    public static WorkerHealthState StateOf(int score) => score >= 80 ? WorkerHealthState.Healthy : score >= 50 ? WorkerHealthState.Degraded : WorkerHealthState.Critical;

    /// <summary>The next baseline: a moving average of window means (windows without runs leave it alone).</summary>
    public static TimeSpan? NextBaseline(TimeSpan? baseline, long runs, TimeSpan average) =>
        runs == 0 ? baseline
        : baseline is null ? average
        : TimeSpan.FromTicks((long)((baseline.Value.Ticks * (1 - BaselineWeight)) + (average.Ticks * BaselineWeight)));
}

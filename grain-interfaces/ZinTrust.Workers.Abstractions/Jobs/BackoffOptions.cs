namespace ZinTrust.Workers.Abstractions;

/// <summary>How long a failed attempt waits before the next one.</summary>
[GenerateSerializer, Immutable, Alias("zt.BackoffOptions")]
public sealed record BackoffOptions
{
    /// <summary>Fixed or exponential. Default: exponential.</summary>
    [Id(0)] public BackoffKind Kind { get; init; } = BackoffKind.Exponential;

    /// <summary>The base delay. Default: 1 second.</summary>
    [Id(1)] public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fraction 0..1 of the delay that is randomised downwards (0 = exact). Default: 0.</summary>
    [Id(2)] public double Jitter { get; init; }

    /// <summary>Upper bound of any one delay. Default: 1 hour.</summary>
    [Id(3)] public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(1);

    public static BackoffOptions Default { get; } = new();

    /// <summary>
    /// The delay before the attempt after <paramref name="failedAttempt"/> (1-based).
    /// With jitter j and a random r in [0,1): delay × (1 − j) + r × delay × j.
    /// </summary>
    public TimeSpan ComputeDelay(int failedAttempt, double random01)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        double baseMs = BaseDelay.TotalMilliseconds;
        double ms = Kind == BackoffKind.Fixed
            ? baseMs
            : baseMs * Math.Pow(2, Math.Min(failedAttempt - 1, 62));
        ms = Math.Min(ms, MaxDelay.TotalMilliseconds);
        if (Jitter > 0)
        {
            ms = (ms * (1 - Jitter)) + (Math.Clamp(random01, 0, 1) * ms * Jitter);
        }

        return TimeSpan.FromMilliseconds(Math.Max(0, Math.Floor(ms)));
    }
}

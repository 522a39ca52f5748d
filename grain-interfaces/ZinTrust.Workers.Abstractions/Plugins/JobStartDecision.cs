namespace ZinTrust.Workers.Abstractions;

/// <summary>A plugin's answer before a job starts: proceed, or defer the job (a throttle, a closed window).</summary>
public readonly record struct JobStartDecision
{
    /// <summary>The longest deferral (the same bound as an enqueue delay).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(365);

    private JobStartDecision(TimeSpan delay, string reason)
    {
        IsDeferred = true;
        Delay = delay;
        Reason = reason;
    }

    /// <summary>Run the job now (as far as this plugin is concerned).</summary>
    public static JobStartDecision Proceed => default;

    /// <summary>True when the job must not run now.</summary>
    public bool IsDeferred { get; }

    /// <summary>How long the job waits before it may run again (zero: back to waiting at once).</summary>
    public TimeSpan Delay { get; }

    /// <summary>Why (logged at debug level; never the payload).</summary>
    public string? Reason { get; }

    /// <summary>Do not run the job now: it goes back to its queue for <paramref name="delay"/>; the attempt is not counted.</summary>
    public static JobStartDecision Defer(TimeSpan delay, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, MaxDelay);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new JobStartDecision(delay, reason);
    }
}

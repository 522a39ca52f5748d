namespace ZinTrust.Workers.Abstractions;

/// <summary>How an attempt ended, as the processor pipeline's filters see it.</summary>
public sealed record JobAttemptResult
{
    private JobAttemptResult(JobAttemptResultKind kind, object? value, Exception? error, TimeSpan delay, string? reason)
    {
        Kind = kind;
        Value = value;
        Error = error;
        Delay = delay;
        Reason = reason;
    }

    public JobAttemptResultKind Kind { get; }

    /// <summary>The processor's result (<see cref="JobAttemptResultKind.Completed"/>).</summary>
    public object? Value { get; }

    /// <summary>Why the attempt failed (<see cref="JobAttemptResultKind.Failed"/>); <see cref="UnrecoverableJobException"/>
    /// dead-letters the job at once.</summary>
    public Exception? Error { get; }

    /// <summary>How long a deferred job waits before it may run again (<see cref="JobAttemptResultKind.Deferred"/>).</summary>
    public TimeSpan Delay { get; }

    /// <summary>Why the attempt was deferred (logged, never stored with the payload).</summary>
    public string? Reason { get; }

    public static JobAttemptResult Completed(object? value) => new(JobAttemptResultKind.Completed, value, null, TimeSpan.Zero, null);

    public static JobAttemptResult Failed(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(JobAttemptResultKind.Failed, null, error, TimeSpan.Zero, null);
    }

    /// <summary>Not run now: the job goes back to its queue for <paramref name="delay"/> and the attempt does not count.</summary>
    public static JobAttemptResult Deferred(TimeSpan delay, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, JobStartDecision.MaxDelay);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(JobAttemptResultKind.Deferred, null, null, delay, reason);
    }
}

/// <summary>The kinds of <see cref="JobAttemptResult"/>.</summary>
public enum JobAttemptResultKind
{
    Completed = 0,
    Failed = 1,
    Deferred = 2,
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A job attempt whose processor threw or timed out.</summary>
public sealed record PluginJobFailedContext
{
    public required PluginJobContext Job { get; init; }

    /// <summary>What the processor threw; null when it timed out and never returned.</summary>
    public Exception? Exception { get; init; }

    /// <summary>The error recorded on the job.</summary>
    public required string Error { get; init; }

    /// <summary>The attempt ran past its timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>
    /// The job goes to the dead-letter set: the error was unrecoverable or this was its last attempt (the queue's
    /// rule, applied when the failure is reported). Otherwise it will be retried after its backoff.
    /// </summary>
    public bool DeadLettered { get; init; }

    public bool WillRetry => !DeadLettered;

    /// <summary>How long the processor ran.</summary>
    public TimeSpan Duration { get; init; }
}

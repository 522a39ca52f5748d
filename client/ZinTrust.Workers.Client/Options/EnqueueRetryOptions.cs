namespace ZinTrust.Workers.Client;

/// <summary>
/// Retries of an enqueue that failed with a transient error (<see cref="TransientErrors"/>): exponential backoff
/// with jitter, at most <see cref="MaxAttempts"/> attempts, none started after <see cref="Budget"/>. Every attempt
/// carries the same idempotency key (the caller's, or one the client generates), so a retry after a lost answer
/// returns the job the first attempt stored instead of creating a second one.
/// </summary>
public sealed class EnqueueRetryOptions
{
    /// <summary>Attempts in total, the first included (1..100). 1 turns retries off, and the client then generates no
    /// idempotency key. Default: 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The typical delay before the first retry; later ones grow exponentially, randomised (1 ms..1 min). Default: 100 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two attempts (at least <see cref="BaseDelay"/>, at most 5 min). Default: 2 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>No retry is scheduled once this much time has passed since the first attempt began (100 ms..1 h). The
    /// last error is then thrown. Default: 30 s.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);
}

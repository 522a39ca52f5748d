namespace ZinTrust.Workers.Client;

/// <summary>
/// How <see cref="IJobQueue{TPayload}.WaitForResultAsync(string, TimeSpan, CancellationToken)"/> learns that a job
/// settled: the queue pushes the settled record to the waiting client, and the client re-reads the job now and then in
/// case a notice was lost (notices are best-effort). Without push it polls with capped exponential backoff.
/// </summary>
public sealed class ResultWaitOptions
{
    /// <summary>Register with the queue to be told when the job settles. Default: true.</summary>
    public bool UsePush { get; set; } = true;

    /// <summary>With push: how often the waiter re-reads the job (which also renews its registration, held for three
    /// intervals so that a client that dies leaves nothing behind for long); 100 ms..5 min. Default: 5 s.</summary>
    public TimeSpan PushSafetyPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Without push, or after a transient error: the first delay between reads (1 ms..1 min). Default: 10 ms.</summary>
    public TimeSpan PollInitialDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Without push, or after a transient error: the delay doubles up to this (at least
    /// <see cref="PollInitialDelay"/>, at most 5 min). Default: 500 ms.</summary>
    public TimeSpan PollMaxDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}

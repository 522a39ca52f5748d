namespace ZinTrust.Workers.Abstractions;

public enum JobCancellationReason
{
    /// <summary>The attempt ran past its timeout; it fails and is retried while attempts remain.</summary>
    Timeout = 0,

    /// <summary>Someone cancelled the job; it ends Cancelled.</summary>
    Cancelled = 1,

    /// <summary>The replica is stopping; the job goes back to the queue.</summary>
    Shutdown = 2,

    /// <summary>The lease was lost (it expired and the job moved on); the result would be rejected anyway.</summary>
    LeaseLost = 3,
}

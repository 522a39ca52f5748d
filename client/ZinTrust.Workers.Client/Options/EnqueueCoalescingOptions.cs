namespace ZinTrust.Workers.Client;

/// <summary>
/// How the client coalesces concurrent <see cref="IJobQueue{TPayload}.EnqueueAsync"/> calls to one queue into one grain call
/// (see <see cref="ZinTrust.Workers.Abstractions.EnqueueBatcher"/>). No timer is involved: a job waits at most for one call
/// already on its way to return. Each caller keeps its own result, error and retries.
/// </summary>
public sealed class EnqueueCoalescingOptions
{
    /// <summary>False sends each enqueue as its own grain call. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most jobs in one call (1..10000). Default: 500.</summary>
    public int MaxJobsPerCall { get; set; } = 500;

    /// <summary>Calls to one queue on their way at once (1..64); jobs beyond them wait for the first to return. Default: 4.</summary>
    public int MaxCallsInFlight { get; set; } = 4;
}

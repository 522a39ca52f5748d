using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>
/// Thrown by an awaited result when the job was dead-lettered: its attempts ran out, it stalled too often, or its
/// processor threw <see cref="UnrecoverableJobException"/>. The job stays in the dead-letter set, where an operator
/// may retry it.
/// </summary>
public sealed class JobFailedException : JobNotCompletedException
{
    public JobFailedException()
        : base("The job failed.")
    {
    }

    public JobFailedException(string message)
        : base(message)
    {
    }

    public JobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JobFailedException(JobRecord job)
        : base(job, $"Job {job?.Id} on queue {job?.Queue} failed ({job?.FailureReason ?? "unknown reason"}) after {job?.Attempt} attempt(s): {job?.Error}")
    {
    }

    /// <summary>The last attempt's error (exception type and message).</summary>
    public string? Error => Job?.Error;

    /// <summary>Why it was dead-lettered; one of <see cref="JobFailureReasons"/>.</summary>
    public string? FailureReason => Job?.FailureReason;

    public int Attempts => Job?.Attempt ?? 0;
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>
/// An awaited job settled without a result: <see cref="JobFailedException"/> (dead-lettered) or
/// <see cref="JobCancelledException"/> (cancelled). Catch this type to handle both.
/// </summary>
public abstract class JobNotCompletedException : Exception
{
    protected JobNotCompletedException()
    {
    }

    protected JobNotCompletedException(string message)
        : base(message)
    {
    }

    protected JobNotCompletedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    protected JobNotCompletedException(JobRecord job, string message)
        : base(message)
    {
        Job = job;
    }

    /// <summary>The job as the queue stored it when it settled.</summary>
    public JobRecord? Job { get; }

    public string? JobId => Job?.Id;

    public string? Queue => Job?.Queue;
}

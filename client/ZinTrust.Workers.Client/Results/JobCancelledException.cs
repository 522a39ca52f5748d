using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>
/// Thrown by an awaited result when the job itself was cancelled (by <c>CancelAsync</c>, the REST API or an operator).
/// </summary>
/// <remarks>
/// Deliberately not an <see cref="OperationCanceledException"/>: that type means "the caller's own token fired", and
/// hosts and frameworks often swallow it as a normal shutdown or an aborted request. A job cancelled by someone else
/// is an outcome the caller should see. Cancelling the caller's token still throws <see cref="OperationCanceledException"/>.
/// </remarks>
public sealed class JobCancelledException : JobNotCompletedException
{
    public JobCancelledException()
        : base("The job was cancelled.")
    {
    }

    public JobCancelledException(string message)
        : base(message)
    {
    }

    public JobCancelledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JobCancelledException(JobRecord job)
        : base(job, $"Job {job?.Id} on queue {job?.Queue} was cancelled.")
    {
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>One waiter's observer: completes <see cref="Settled"/> when its queue reports the job settled.</summary>
internal sealed class SettledJobObserver(string jobId) : IJobCompletionObserver
{
    private readonly TaskCompletionSource<JobRecord> settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<JobRecord> Settled => settled.Task;

    public Task JobSettled(JobRecord job)
    {
        if (job is not null && string.Equals(job.Id, jobId, StringComparison.Ordinal) && JobStateMachine.IsSettled(job.State))
        {
            settled.TrySetResult(job);
        }

        return Task.CompletedTask;
    }
}

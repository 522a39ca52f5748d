using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

internal sealed class RunnerJobContext(RunningJob running, string workerName, IQueueGrain queue) : JobContext
{
    public override string JobId => running.Job.JobId;

    public override string Queue => running.Job.Queue;

    public override string WorkerName => workerName;

    public override string? JobName => running.Job.Name;

    public override int Attempt => running.Job.Attempt;

    public override int MaxAttempts => running.Job.MaxAttempts;

    public override string Payload => running.Job.Payload;

    public override CancellationToken CancellationToken => running.Token;

    public override JobCancellationReason? CancellationReason => running.Reason;

    public override Task ReportProgressAsync(int percent) =>
        queue.ReportProgress(new JobLeaseRef(running.Job.JobId, running.Job.LeaseToken), Math.Clamp(percent, 0, 100));
}

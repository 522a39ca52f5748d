using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The job hooks of plugins around one attempt. Start hooks run before the processor (and before its timeout starts);
/// outcome hooks run after it, while the job still holds its slot and its lease is still renewed, and before the
/// outcome is reported. Cancelled attempts, attempts handed back on shutdown and attempts whose lease was lost get
/// no outcome hook (their outcome is not decided here).
/// </summary>
internal sealed partial class ReplicaRunner
{
    private PluginJobContext PluginJob(LeasedJob job) => new()
    {
        WorkerName = spec.WorkerName,
        Queue = job.Queue,
        JobId = job.JobId,
        JobName = job.Name,
        Attempt = job.Attempt,
        MaxAttempts = job.MaxAttempts,
        Priority = job.Priority,
        Payload = job.Payload,
        ReplicaId = replicaId,
        Silo = silo,
    };

    /// <summary>A deferral by a start hook becomes the attempt's outcome: the processor does not run.</summary>
    private async ValueTask<JobOutcome?> DeferredByPluginsAsync(PluginSet hooks, PluginJobContext job, RunningJob run)
    {
        if (!hooks.Has(PluginHook.JobStart))
        {
            return null;
        }

        var decision = await plugins.BeforeJobAsync(hooks, job, run.Token).ConfigureAwait(false);
        return decision.IsDeferred
            ? new JobOutcome { JobId = run.Job.JobId, LeaseToken = run.Job.LeaseToken, Kind = JobOutcomeKind.Deferred, Delay = decision.Delay }
            : null;
    }

    private ValueTask OutcomeHooksAsync(PluginSet hooks, PluginJobContext job, RunningJob run, JobOutcome? outcome, Exception? error, TimeSpan elapsed)
    {
        var leased = run.Job;
        if (run.IsReported)
        {
            if (!hooks.Has(PluginHook.JobFailed))
            {
                return ValueTask.CompletedTask;
            }

            // The grace timer failed the attempt already: the processor ignored its timeout and returned only now.
            return plugins.AfterJobAsync(
                hooks,
                new PluginJobFailedContext { Job = job, Exception = error, Error = IgnoredTimeoutError(leased), TimedOut = true, DeadLettered = leased.Attempt >= leased.MaxAttempts, Duration = elapsed },
                shutdownToken);
        }

        return outcome?.Kind switch
        {
            JobOutcomeKind.Completed when hooks.Has(PluginHook.JobComplete) => plugins.AfterJobAsync(
                hooks,
                new PluginJobCompletedContext { Job = job, Duration = elapsed, Result = outcome.Result },
                shutdownToken),
            JobOutcomeKind.Failed or JobOutcomeKind.FailedUnrecoverable when hooks.Has(PluginHook.JobFailed) => plugins.AfterJobAsync(
                hooks,
                new PluginJobFailedContext
                {
                    Job = job,
                    Exception = error,
                    Error = outcome.Error ?? "",
                    TimedOut = run.Reason == JobCancellationReason.Timeout,
                    DeadLettered = outcome.Kind == JobOutcomeKind.FailedUnrecoverable || leased.Attempt >= leased.MaxAttempts,
                    Duration = elapsed,
                },
                shutdownToken),
            _ => ValueTask.CompletedTask,
        };
    }
}

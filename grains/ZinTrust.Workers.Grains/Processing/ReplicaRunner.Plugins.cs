using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The job hooks of plugins, as the innermost filter of the processor pipeline. Start hooks run before the processor (and
/// before its timeout starts); a deferral there is the attempt's result and the processor does not run. Outcome hooks run after
/// it, while the job still holds its slot and its lease is still renewed, and before the outcome is reported. Cancelled
/// attempts, attempts handed back on shutdown and attempts whose lease was lost get no outcome hook (their outcome is not
/// decided here).
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

    private sealed class PluginJobFilter(ReplicaRunner runner, PluginSet hooks, RunningJob run) : IJobFilter
    {
        public async ValueTask<JobAttemptResult> InvokeAsync(JobContext context, JobAttemptDelegate next)
        {
            var job = runner.PluginJob(run.Job);
            if (hooks.Has(PluginHook.JobStart))
            {
                var decision = await runner.plugins.BeforeJobAsync(hooks, job, run.Token).ConfigureAwait(false);
                if (decision.IsDeferred)
                {
                    return JobAttemptResult.Deferred(decision.Delay, decision.Reason ?? "deferred by a plugin");
                }
            }

            var result = await next(context).ConfigureAwait(false);
            await OutcomeHooksAsync(job, result).ConfigureAwait(false);
            return result;
        }

        private ValueTask OutcomeHooksAsync(PluginJobContext job, JobAttemptResult result)
        {
            var leased = run.Job;
            var elapsed = run.ProcessorTime;
            if (run.IsReported)
            {
                // The grace timer failed the attempt already: the processor ignored its timeout and returned only now.
                return !hooks.Has(PluginHook.JobFailed) ? ValueTask.CompletedTask : runner.plugins.AfterJobAsync(
                    hooks,
                    new PluginJobFailedContext { Job = job, Exception = result.Error, Error = IgnoredTimeoutError(leased), TimedOut = true, DeadLettered = leased.Attempt >= leased.MaxAttempts, Duration = elapsed },
                    runner.shutdownToken);
            }

            var outcome = Outcome(run, result);
            return outcome?.Kind switch
            {
                JobOutcomeKind.Completed when hooks.Has(PluginHook.JobComplete) => runner.plugins.AfterJobAsync(
                    hooks,
                    new PluginJobCompletedContext { Job = job, Duration = elapsed, Result = outcome.Result },
                    runner.shutdownToken),
                JobOutcomeKind.Failed or JobOutcomeKind.FailedUnrecoverable when hooks.Has(PluginHook.JobFailed) => runner.plugins.AfterJobAsync(
                    hooks,
                    new PluginJobFailedContext
                    {
                        Job = job,
                        Exception = result.Error,
                        Error = outcome.Error ?? "",
                        TimedOut = run.Reason == JobCancellationReason.Timeout,
                        DeadLettered = outcome.Kind == JobOutcomeKind.FailedUnrecoverable || leased.Attempt >= leased.MaxAttempts,
                        Duration = elapsed,
                    },
                    runner.shutdownToken),
                _ => ValueTask.CompletedTask,
            };
        }
    }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A pipeline filter written as hooks (<see cref="IJobFilter"/>): before the rest of the pipeline (returning a result skips
/// it), after it, and on a failed attempt.
/// </summary>
public abstract class JobFilter : IJobFilter
{
    public async ValueTask<JobAttemptResult> InvokeAsync(JobContext context, JobAttemptDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (await OnBeforeAsync(context).ConfigureAwait(false) is { } early)
        {
            return early;
        }

        var result = await next(context).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            await OnErrorAsync(context, error).ConfigureAwait(false);
        }
        else
        {
            await OnAfterAsync(context, result).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Before the attempt; a result (a deferral, say) ends it there. Default: go on.</summary>
    protected virtual ValueTask<JobAttemptResult?> OnBeforeAsync(JobContext context) => ValueTask.FromResult<JobAttemptResult?>(null);

    /// <summary>After an attempt that completed or was deferred.</summary>
    protected virtual ValueTask OnAfterAsync(JobContext context, JobAttemptResult result) => ValueTask.CompletedTask;

    /// <summary>After an attempt that failed.</summary>
    protected virtual ValueTask OnErrorAsync(JobContext context, Exception error) => ValueTask.CompletedTask;
}

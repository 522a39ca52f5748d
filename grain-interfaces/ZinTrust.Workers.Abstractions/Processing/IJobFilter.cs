namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A step of the processor pipeline: it runs around every attempt of every job on the silo, in the order filters were
/// registered (the first registered is the outermost), with the processor innermost. A filter calls <c>next</c> to go on, may
/// return without calling it (a deferral, say), may pass <c>next</c> another context (a decorator that changes what the
/// processor sees), and sees the attempt's result. The processor's exceptions arrive as <see cref="JobAttemptResult.Failed"/>
/// results, not as exceptions; a filter that throws fails the attempt with its exception. Register with the workers builder's
/// <c>AddJobFilter</c>; <see cref="JobFilter"/> has before, after and on-error hooks for the common case.
/// </summary>
public interface IJobFilter
{
    ValueTask<JobAttemptResult> InvokeAsync(JobContext context, JobAttemptDelegate next);
}

/// <summary>The rest of the pipeline, down to the processor.</summary>
public delegate ValueTask<JobAttemptResult> JobAttemptDelegate(JobContext context);

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>
/// Awaits a job until it settles (<see cref="JobStateMachine.IsSettled"/>) and turns the outcome into a return value
/// or an exception.
/// </summary>
/// <remarks>
/// With push (the default) the waiter registers an observer with the queue; the queue sends the settled record once
/// it is durable. Notices are best-effort, so every <see cref="ResultWaitOptions.PushSafetyPollInterval"/> the waiter
/// re-reads the job through <see cref="IQueueGrain.WatchJob"/>, which also renews the registration (and re-creates it
/// on a new activation of the queue). Without push, or after a transient error, it reads with capped exponential
/// backoff. The registration is removed when the wait ends without a notice (timeout, cancellation, error); a client
/// that dies leaves it to expire after three intervals.
/// </remarks>
internal sealed partial class JobResultWaiter(IClusterClient client, IOptions<WorkersClientOptions> options, TimeProvider time, ILogger<JobResultWaiter> logger)
{
    private readonly ResultWaitOptions settings = options.Value.ResultWait;

    public async Task<JobRecord> WaitAsync(IQueueGrain queue, string queueName, string jobId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (!WorkerValidation.IsValidJobId(jobId))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidJobId, "Job ids are 1..100 letters, digits, '-' or '_'.");
        }

        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var progress = new WaitProgress();
        try
        {
            var job = settings.UsePush
                ? await WaitWithPushAsync(queue, queueName, jobId, progress, linked.Token).ConfigureAwait(false)
                : await ReadUntilSettledAsync(queue, queueName, jobId, observer: null, progress, linked.Token).ConfigureAwait(false);
            return job.State switch
            {
                JobState.Completed => job,
                JobState.Cancelled => throw new JobCancelledException(job),
                _ => throw new JobFailedException(job),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Report the caller's own token, not the linked one, so callers can tell their cancellation apart.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Job {jobId} on queue {queueName} did not settle within {timeout} (last seen {progress.LastState?.ToString() ?? "never"}). " +
                "It keeps running; cancel it with CancelAsync if its result is no longer wanted.");
        }
    }

    private async Task<JobRecord> WaitWithPushAsync(IQueueGrain queue, string queueName, string jobId, WaitProgress progress, CancellationToken cancellationToken)
    {
        var observer = new SettledJobObserver(jobId);
        var reference = client.CreateObjectReference<IJobCompletionObserver>(observer);
        bool settled = false;
        try
        {
            var job = await ReadUntilSettledAsync(queue, queueName, jobId, reference, progress, cancellationToken, observer.Settled).ConfigureAwait(false);
            settled = true;
            return job;
        }
        finally
        {
            if (!settled)
            {
                // The queue drops a registration itself when the job settles; otherwise say we stopped waiting.
                Unwatch(queue, queueName, jobId, reference);
            }

            client.DeleteObjectReference<IJobCompletionObserver>(reference);
            GC.KeepAlive(observer);   // the runtime holds the observer weakly
        }
    }

    /// <summary>Reads (and with an observer, registers) until the job settles or the token fires.</summary>
    private async Task<JobRecord> ReadUntilSettledAsync(
        IQueueGrain queue,
        string queueName,
        string jobId,
        IJobCompletionObserver? observer,
        WaitProgress progress,
        CancellationToken cancellationToken,
        Task<JobRecord>? pushed = null)
    {
        var lifetime = settings.PushSafetyPollInterval * 3;
        var backoff = settings.PollInitialDelay;
        while (true)
        {
            TimeSpan pause;
            try
            {
                var job = observer is null
                    ? await queue.GetJob(jobId).WaitAsync(cancellationToken).ConfigureAwait(false)
                    : await queue.WatchJob(jobId, observer, lifetime).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (job is null)
                {
                    throw new WorkersException(WorkersErrorCodes.JobNotFound, $"Job {jobId} was not found on queue {queueName} (never enqueued, or no longer retained).");
                }

                progress.LastState = job.State;
                if (JobStateMachine.IsSettled(job.State))
                {
                    return job;
                }

                pause = observer is null ? NextBackoff(ref backoff) : settings.PushSafetyPollInterval;
            }
            catch (Exception ex) when (TransientErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                // The queue may be reloading or its silo gone: read again soon, which also re-registers with the new activation.
                pause = NextBackoff(ref backoff);
                LogTransient(logger, queueName, jobId, pause, ex.GetType().Name, ex);
            }

            if (await PauseAsync(pushed, pause, cancellationToken).ConfigureAwait(false) is { } notice)
            {
                return notice;
            }
        }
    }

    private TimeSpan NextBackoff(ref TimeSpan backoff)
    {
        var current = backoff;
        backoff = backoff * 2 > settings.PollMaxDelay ? settings.PollMaxDelay : backoff * 2;
        return current;
    }

    /// <summary>Waits for the pause, returning early with a pushed record; throws when the token fires.</summary>
    private async Task<JobRecord?> PauseAsync(Task<JobRecord>? pushed, TimeSpan pause, CancellationToken cancellationToken)
    {
        if (pushed is null)
        {
            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            return null;
        }

        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(pause, time, stopTimer.Token);
        await Task.WhenAny(pushed, timer).ConfigureAwait(false);
        if (pushed.IsCompletedSuccessfully)
        {
            return await pushed.ConfigureAwait(false);
        }

        await stopTimer.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    private void Unwatch(IQueueGrain queue, string queueName, string jobId, IJobCompletionObserver reference)
    {
        // Best-effort and not awaited: a timeout or cancellation returns at once; the registration expires anyway.
        _ = queue.UnwatchJob(jobId, reference).ContinueWith(
            t => LogUnwatchFailed(logger, queueName, jobId, t.Exception!.GetBaseException()),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>What the waiter last saw, for the timeout message.</summary>
    private sealed class WaitProgress
    {
        public JobState? LastState { get; set; }
    }
}

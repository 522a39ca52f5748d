using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The queue's reads and operators' actions: a job, a page of jobs, result watches, cancel, pause and resume,
/// dead-letter retry and delete, prune (the job policy: QueueGrain.Partitions.cs).</summary>
internal sealed partial class QueueGrain
{
    public async Task<JobRecord?> GetJob(string jobId)
    {
        var entry = index.Get(jobId);
        return entry is null ? null : await Show(entry);
    }

    public async Task<JobRecord?> WatchJob(string jobId, IJobCompletionObserver observer, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ThrowIfPoisoned();
        var entry = index.Get(jobId);
        if (entry is null)
        {
            return null;
        }

        if (!JobStateMachine.IsSettled(entry.State))
        {
            watchers.Add(jobId, observer, time.GetUtcNow() + Clamp(lifetime, JobWatchLimits.MinLifetime, JobWatchLimits.MaxLifetime));
            StayWhileWatching();
        }

        // Never show a state that is not yet durable (as GetJob). A job settling meanwhile notifies the observer.
        return await Show(entry);
    }

    public Task UnwatchJob(string jobId, IJobCompletionObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        watchers.Remove(jobId, observer);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<JobRecord>> ListJobs(JobState state, int offset, int limit)
    {
        var page = index.List(state).Skip(Math.Max(0, offset)).Take(Math.Clamp(limit, 0, 1000)).ToArray();
        var records = await reader.ReadPageAsync(page);

        // Records from memory may still be on their way to the store: show only durable states.
        await writer.Commit();
        return records;
    }

    public async Task<CancelResult> Cancel(string jobId)
    {
        ThrowIfPoisoned();
        var entry = index.Get(jobId);
        while (entry is { Reserved: true })
        {
            // Another call is reading this job's record to move it: act on what that call leaves.
            await reader.ReservationEnded();
            ThrowIfPoisoned();
            entry = index.Get(jobId);
        }

        if (entry is null)
        {
            return CancelResult.NotFound;
        }

        if (!JobTransitions.CanMove(entry.State, JobState.Cancelled))
        {
            return CancelResult.AlreadyFinished;
        }

        var job = entry.Record ?? (await reader.ReadReservedAsync([entry]))[0];
        var now = time.GetUtcNow();
        var owner = job.State == JobState.Active ? job.LeaseOwner : null;
        Apply(job, JobCommand.Cancelled, now);
        EnforceRetention(now);
        ArmClock();
        await writer.Commit();
        if (owner is not null)
        {
            // Fire the running processor's token wherever it runs; lease renewal reports the loss as a backstop.
            _ = GrainFactory.GetGrain<IWorkerReplicaGrain>(owner).CancelJob(jobId);
        }

        LogCancelled(logger, queue, jobId);
        return CancelResult.Cancelled;
    }

    public Task Pause() => SetPaused(true);

    public Task Resume() => SetPaused(false);

    public Task<QueueStats> GetStats()
    {
        var now = time.GetUtcNow();
        var oldest = index.OldestWaitingSince();
        return Task.FromResult(index.Stats(queue, paused) with
        {
            Counters = metrics.Counters,
            Watchers = watchers.Count,
            Limits = Limits(now),
            OldestWaitingSince = oldest,
            OldestWaitingAge = oldest is { } since ? (since <= now ? now - since : TimeSpan.Zero) : null,
            Partitions = policy.Partitions,
        });
    }

    public async Task<int> RetryDeadLetters(IReadOnlyList<string>? jobIds)
    {
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var targets = DeadLetters(jobIds);
        foreach (var job in targets)
        {
            Apply(job, JobCommand.Retry, now);
        }

        await writer.Commit();
        if (targets.Count > 0)
        {
            WakeWaiters();
        }

        return targets.Count;
    }

    public async Task<int> DeleteDeadLetters(IReadOnlyList<string>? jobIds)
    {
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var targets = DeadLetters(jobIds);
        foreach (var job in targets)
        {
            Delete(job, JobDeletionReasons.Deleted, now);
        }

        await writer.Commit();
        return targets.Count;
    }

    public async Task<int> Prune(TimeSpan olderThan, bool includeDeadLetters)
    {
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var old = index.FinishedBefore(now - olderThan, includeDeadLetters).Where(e => !Pinned(e)).ToList();   // a child stays until its parent knows
        foreach (var entry in old)
        {
            Delete(entry.Record!, JobDeletionReasons.Pruned, now);
        }

        await writer.Commit();
        return old.Count;
    }

    public Task<JobOptions> GetPolicy() => Task.FromResult(policy);

    private async Task SetPaused(bool value)
    {
        ThrowIfPoisoned();
        paused = value;
        writer.SetMetadata(new QueueMetadata(paused, policy));
        await writer.Commit();
        WakeWaiters();
    }

    private List<JobRecord> DeadLetters(IReadOnlyList<string>? jobIds) => jobIds is null
        ? index.List(JobState.Failed).Select(e => e.Record!).ToList()
        : jobIds.Select(index.Get).Where(e => e is { State: JobState.Failed }).Select(e => e!.Record!).ToList();

    /// <summary>A job's record for a caller: never a state that is not yet durable.</summary>
    private async Task<JobRecord?> Show(JobEntry entry)
    {
        if (reader.InMemory(entry) is { } job)
        {
            await writer.Commit();
            return job;
        }

        // Only the store has it, so it is durable; a read-only look needs no reservation.
        return (await reader.LoadAsync([entry.Id]))[0];
    }
}

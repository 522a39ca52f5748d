using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The job policy, and the grain's part in a partitioned queue (<see cref="QueuePartitions"/>): partition 0 (the grain keyed by
/// the queue's name) owns the policy and hands it to the other partitions; each partition refuses jobs its count places
/// elsewhere; the count changes only while the partitions involved hold no work.
/// </summary>
/// <remarks>
/// Why the count is fixed while the queue has work: a job's partition follows from the count (a group's or an idempotency key's
/// hash), and the partitions that go when the count shrinks are no longer leased. Moving jobs between partitions would be a
/// drain-and-move, which is not built; so a change is refused (<c>PARTITIONS_LOCKED</c>) unless every partition is empty of
/// waiting, delayed, active and waiting-children jobs, and the partitions that go hold nothing at all.
/// </remarks>
internal sealed partial class QueueGrain
{
    private Task policyChanges = Task.CompletedTask;

    /// <summary>This grain's partition of its queue (0 for the grain keyed by the queue's name).</summary>
    private int partition;

    /// <summary>The grain's key and its store key: the queue's name for partition 0, <c>{queue}#{p}</c> otherwise.</summary>
    private string partitionKey = "";

    public Task SetPolicy(JobOptions policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (partition != 0)
        {
            // The queue's policy lives in partition 0, which hands it on: a partition set on its own would disagree with it.
            return QueuePartitions.Of(GrainFactory).Partition(queue, 0).SetPolicy(policy);
        }

        // One change at a time: a change of the count awaits the other partitions, and this grain interleaves.
        var previous = policyChanges;
        var change = SetPolicyAfter(previous, policy);
        policyChanges = change.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return change;
    }

    public async Task AdoptPolicy(JobOptions policy, bool paused, bool force)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ThrowIfPoisoned();
        if (!force && policy.Partitions != this.policy.Partitions && Busy(policy.Partitions))
        {
            throw QueuePartitions.Locked(queue, this.policy.Partitions, policy.Partitions);
        }

        bool resumed = this.paused && !paused;
        this.paused = paused;
        await ApplyPolicy(policy);
        if (resumed)
        {
            WakeWaiters();
        }
    }

    private async Task SetPolicyAfter(Task previous, JobOptions policy)
    {
        await previous;
        ThrowIfPoisoned();
        if (this.policy == policy)
        {
            return;
        }

        if (policy.Partitions > 1 && (policy.GlobalConcurrency is not null || policy.RateLimit is not null))
        {
            throw new WorkersException(WorkersErrorCodes.PartitionsConflict, $"Queue '{queue}': a partitioned queue cannot have a globalConcurrency or rateLimit.");
        }

        var old = this.policy;
        int reach = Math.Max(old.Partitions, policy.Partitions);
        if (old.Partitions != policy.Partitions)
        {
            ThrowIfBusy(old.Partitions, policy.Partitions);

            // Each other partition checks and takes the new count in one turn of its own, so no job slips in between; then this
            // one checks again (it may have taken a job meanwhile) before it takes the count, which routers read.
            try
            {
                await Task.WhenAll(Enumerable.Range(1, reach - 1).Select(p => Partition(p).AdoptPolicy(policy, paused, force: false)));
                ThrowIfBusy(old.Partitions, policy.Partitions);
            }
            catch (Exception ex)
            {
                LogRepartitionUndone(logger, queue, old.Partitions, policy.Partitions, ex);
                await UndoAsync(old, reach);
                throw;
            }

            LogRepartitioned(logger, queue, old.Partitions, policy.Partitions);
        }
        else if (reach > 1)
        {
            await Task.WhenAll(Enumerable.Range(1, reach - 1).Select(p => Partition(p).AdoptPolicy(policy, paused, force: true)));
        }

        await ApplyPolicy(policy);
    }

    /// <summary>Puts the old policy back on the other partitions after a refused change (each is empty or holds only jobs the
    /// old count places there: routers knew only the old count meanwhile, since this partition had not taken the new one).</summary>
    private async Task UndoAsync(JobOptions old, int reach)
    {
        foreach (int p in Enumerable.Range(1, reach - 1))
        {
            try
            {
                await Partition(p).AdoptPolicy(old, paused, force: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogUndoFailed(logger, queue, p, ex);
            }
        }
    }

    private async Task ApplyPolicy(JobOptions policy)
    {
        this.policy = policy;
        writer.SetMetadata(new QueueMetadata(paused, policy));
        var now = time.GetUtcNow();
        EnforceRetention(now);
        ForgetExpiredKeys(now);
        await writer.Commit();
    }

    private void ThrowIfBusy(int from, int to)
    {
        if (Busy(to))
        {
            throw QueuePartitions.Locked(queue, from, to);
        }
    }

    /// <summary>Whether this partition holds work that a count of <paramref name="to"/> would misplace: unsettled jobs, or any
    /// job at all when the partition goes.</summary>
    private bool Busy(int to) =>
        index.WaitingCount + index.CountOf(JobState.Delayed) + index.CountOf(JobState.Active) + index.CountOf(JobState.WaitingChildren) + index.Leasing > 0
        || (partition >= to && (index.FinishedCount + index.FailedCount > 0));

    /// <summary>Refuses a job this partition does not take under its count (<c>PARTITION_MISMATCH</c>): the partition is past the
    /// count, or the job's group or key places it in another. The router re-reads the count and sends it again.</summary>
    private void ThrowIfMisplaced(EnqueueRequest request)
    {
        int count = policy.Partitions;
        if (count == 1 && partition == 0)
        {
            return;
        }

        if (partition >= count || (QueuePartitions.PinnedPartition(request, count) is { } pinned && pinned != partition))
        {
            throw new WorkersException(
                WorkersErrorCodes.PartitionMismatch,
                $"Partition {partition} of queue '{queue}' (of {count}) does not take this job; send it through the queue's router.");
        }
    }

    private IQueueGrain Partition(int p) => QueuePartitions.Of(GrainFactory).Partition(queue, p);

    [LoggerMessage(1013, LogLevel.Information, "Queue {Queue}: partitions changed from {From} to {To}")]
    private static partial void LogRepartitioned(ILogger logger, string queue, int from, int to);

    [LoggerMessage(1014, LogLevel.Warning, "Queue {Queue}: changing the partitions from {From} to {To} was refused or failed; the old count is put back")]
    private static partial void LogRepartitionUndone(ILogger logger, string queue, int from, int to, Exception exception);

    [LoggerMessage(1015, LogLevel.Error, "Queue {Queue}: partition {Partition} could not be given the old policy back; set the policy again")]
    private static partial void LogUndoFailed(ILogger logger, string queue, int partition, Exception exception);
}

using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The queue's clock: promotes due delayed jobs, returns expired leases, enforces retention, forgets expired
/// idempotency keys, and keeps the activation while there is something to watch.</summary>
internal sealed partial class QueueGrain
{
    public Task Tick() => TickCore();

    /// <summary>Promotes due delayed jobs and returns expired leases (stalls); run by the queue's clock when something is due.</summary>
    private async Task TickCore()
    {
        if (poisoned is not null)
        {
            return;
        }

        var now = time.GetUtcNow();
        OnRateWindow(now);
        var due = index.DueDelayed(now, MaxPromotionsPerTick);
        JobRecord[] promoted = [];
        if (due.Count > 0)
        {
            try
            {
                promoted = await reader.ReadReservedAsync(due);
            }
            catch (WorkersException) when (poisoned is null)
            {
                // The read failed and the jobs are delayed again: try once more shortly rather than at once.
                clock?.Change(ReadRetryDelay, Timeout.InfiniteTimeSpan);
                throw;
            }
        }

        foreach (var job in promoted)
        {
            // A promoted job is usually leased next: keep its record, within the read-ahead budget.
            Apply(job, JobCommand.Due, now, hold: reader.CanHold);
        }

        bool requeued = promoted.Length > 0;
        foreach (var job in index.ExpiredLeases(now).Select(e => e.Record!))
        {
            if (granting.TryGetValue(job.Id, out var token) && token == job.LeaseToken)
            {
                // Nobody holds this lease yet: its write is waiting on the store.
                Renew(job.LeaseOwner!, job.Id, token, now);
                continue;
            }

            LogStalled(logger, queue, job.Id, job.LeaseOwner, job.Stalls + 1);
            requeued |= Apply(job, JobCommand.Stalled, now)?.State == JobState.Waiting;
        }

        EnforceRetention(now);
        watchers.Expire(now);
        ArmClock();
        if (requeued)
        {
            WakeWaiters();
        }

        await writer.Commit();
    }

    private async Task MaintainAsync()
    {
        await TickCore();
        if (poisoned is null)
        {
            await TellParentsAsync();   // notices to parents that could not be told before
            ForgetExpiredKeys(time.GetUtcNow());
            StayWhileWatching();
            await writer.Commit();
        }
    }

    /// <summary>Deletes the oldest finished jobs past retention and the oldest dead letters past their bound.</summary>
    private void EnforceRetention(DateTimeOffset now)
    {
        // A partition keeps its share of the queue's bounds (all of them when the queue has one partition).
        int retain = QueuePartitions.Share(policy.RetainCompleted, policy.Partitions);
        if (index.FinishedCount > retain)
        {
            DeleteOldest(deadLetters: false, index.FinishedCount - retain, JobDeletionReasons.Retention, now);
        }

        int maxDeadLetters = QueuePartitions.Share(policy.MaxDeadLetters, policy.Partitions);
        if (index.FailedCount > maxDeadLetters)
        {
            DeleteOldest(deadLetters: true, index.FailedCount - maxDeadLetters, JobDeletionReasons.DeadLetterBound, now);
        }
    }

    /// <summary>Deletes the <paramref name="count"/> oldest finished (or dead-lettered) jobs but flows' children whose parents
    /// have not been told yet (<see cref="Pinned"/>): they stay until then, past the bound if need be.</summary>
    private void DeleteOldest(bool deadLetters, int count, string reason, DateTimeOffset now)
    {
        if (parentNotices.Count == 0)
        {
            // The usual case: nothing pinned, the oldest go.
            for (int i = 0; i < count && (deadLetters ? index.OldestFailed() : index.OldestFinished()) is { } oldest; i++)
            {
                Delete(oldest.Record!, reason, now);
            }

            return;
        }

        foreach (var entry in index.OldestFirst(deadLetters).Where(e => !Pinned(e)).Take(count).ToList())
        {
            Delete(entry.Record!, reason, now);
        }
    }

    /// <summary>Forgets keys that outlived their jobs once their window ends (a key whose job is kept goes when the job does).</summary>
    private void ForgetExpiredKeys(DateTimeOffset now)
    {
        foreach (var key in keys.ForgetEnded(now))
        {
            writer.DeleteKey(key);
        }
    }

    /// <summary>Sets the queue's clock to the next moment something is due (a delayed job, a lease deadline).</summary>
    private void ArmClock()
    {
        if (clock is null)
        {
            return;
        }

        StayWhileWatching();
        var next = index.NextDue();
        if (rateReopensAt is { } reopens && waiters.Count > 0 && (next is null || reopens < next))
        {
            next = reopens;   // replicas held back by the rate limit wait for the window to reopen
        }

        if (next is null)
        {
            clock.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var dueIn = next.Value - time.GetUtcNow();
        clock.Change(dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn, Timeout.InfiniteTimeSpan);
    }

    private void OnClock()
    {
        // Runs on a timer thread: re-enter through the grain so the work happens in a grain turn.
        self?.Tick().ContinueWith(
            static (t, s) => LogClockFailed(((QueueGrain)s!).logger, ((QueueGrain)s!).queue, t.Exception!.GetBaseException()),
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Keeps the activation while its clock has something to watch (delayed jobs, leases) or clients await results: those live
    /// in this activation's memory and timers. Renewed at most about once a minute (the maintenance timer renews it too), and
    /// cancelled as soon as nothing is left to watch.
    /// </summary>
    private void StayWhileWatching()
    {
        // Orleans measures idleness on the wall clock, whatever the queue's clock is.
        var now = DateTimeOffset.UtcNow;
        if (index.CountOf(JobState.Delayed) + index.CountOf(JobState.Active) == 0 && watchers.Count == 0 && parentNotices.Count == 0)
        {
            if (keptUntil > now)
            {
                // Nothing left to watch: back to ordinary collection (a zero delay cancels the earlier one).
                keptUntil = default;
                DelayDeactivation(TimeSpan.Zero);
            }

            return;
        }

        if (keptUntil - now < MaintenancePeriod)
        {
            keptUntil = now + (MaintenancePeriod * 2);
            DelayDeactivation(MaintenancePeriod * 2);
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}

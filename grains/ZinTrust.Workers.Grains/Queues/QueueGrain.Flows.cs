using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Flows, on both sides. A parent waits (<see cref="JobState.WaitingChildren"/>) and records each child's outcome once
/// (<see cref="ChildSettled"/>). A child that settles tells its parent's queue once its own settlement is durable, and keeps
/// telling (right away with a short backoff, then on every maintenance tick and after a reload) until the parent's queue
/// has taken it; only then is the child marked <see cref="FlowState.ParentNotified"/>, and until then retention and pruning
/// keep it. The parent side is idempotent (one outcome per child index), so a notice told twice changes nothing.
/// </summary>
internal sealed partial class QueueGrain
{
    private static readonly TimeSpan[] ParentNoticeBackoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    private static readonly TimeSpan ParentNoticePause = TimeSpan.FromSeconds(5);

    // Settled children whose parents have not taken their notice yet (staged ones included: they are sent once durable), with
    // when to try again a notice whose parent could not be reached.
    private readonly Dictionary<string, DateTimeOffset> parentNotices = new(StringComparer.Ordinal);
    private bool tellingParents;
    private bool tellAgain;
    private IGrainTimer? noticeTimer;   // while some parent could not be told: tries again every pause

    public async Task ChildSettled(string parentId, ChildOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ThrowIfPoisoned();
        if (index.Get(parentId)?.Record is not { State: JobState.WaitingChildren } parent)
        {
            return;   // finished, cancelled or gone: nothing waits for this child any more (a repeated notice lands here too)
        }

        var now = time.GetUtcNow();
        var next = Apply(parent, new JobCommand.ChildSettled(outcome), now);
        if (next?.State == JobState.Waiting)
        {
            WakeWaiters();
        }
        else if (next?.State == JobState.Failed)
        {
            EnforceRetention(now);
        }

        await writer.Commit();
    }

    /// <summary>A flow's child that settled and whose parent has not been told yet.</summary>
    private static bool OwesParentNotice(JobRecord? job) => job is { Parent: not null, ParentNotified: false } && JobStateMachine.IsSettled(job.State);

    /// <summary>A child that owes its parent a notice is kept past retention until it has told it.</summary>
    private static bool Pinned(JobEntry entry) => OwesParentNotice(entry.Record);

    /// <summary>Called for every staged record: a settled child joins the notices to send.</summary>
    private void NoteSettledChild(JobRecord job)
    {
        if (OwesParentNotice(job))
        {
            parentNotices.TryAdd(job.Id, DateTimeOffset.MinValue);
        }
    }

    /// <summary>
    /// Tells the parents of settled children how they settled: each notice once its child's record is durable (not staged or
    /// being written), retried briefly, then left for the next maintenance tick. One pass at a time.
    /// </summary>
    private async Task TellParentsAsync()
    {
        if (tellingParents)
        {
            tellAgain = true;   // a commit while a pass is under way: another pass follows it
            return;
        }

        tellingParents = true;
        try
        {
            do
            {
                tellAgain = false;
                await TellParentsPassAsync();
            }
            while (tellAgain && poisoned is null);
        }
        finally
        {
            tellingParents = false;
        }
    }

    private async Task TellParentsPassAsync()
    {
        bool told = false;
        foreach (var (id, notBefore) in parentNotices.ToArray())
        {
            if (poisoned is not null)
            {
                return;
            }

            if (index.Get(id)?.Record is not { Parent: { } parent } child || !OwesParentNotice(child))
            {
                parentNotices.Remove(id);   // revived, deleted by an operator, or already told
                continue;
            }

            if (writer.Find(id) is not null || time.GetUtcNow() < notBefore)
            {
                continue;   // not durable yet (the commit that writes it calls again), or its parent was just unreachable
            }

            if (!await TellAsync(parent, Outcome(child)))
            {
                parentNotices[id] = time.GetUtcNow() + ParentNoticePause;
                continue;
            }

            if (index.Get(id)?.Record is { ParentNotified: false } current)
            {
                Apply(current, JobCommand.ParentTold, time.GetUtcNow());
                told = true;
            }

            parentNotices.Remove(id);
        }

        if (parentNotices.Count == 0)
        {
            noticeTimer?.Dispose();
            noticeTimer = null;
        }
        else if (noticeTimer is null && parentNotices.Values.Any(at => at > DateTimeOffset.MinValue))
        {
            // A parent's queue was unreachable (its silo died, say): try again after the pause, whether or not this queue
            // writes anything meanwhile.
            noticeTimer = this.RegisterGrainTimer(static (g, _) => g.TellParentsAsync(), this, new GrainTimerCreationOptions(ParentNoticePause, ParentNoticePause));
        }

        if (told)
        {
            EnforceRetention(time.GetUtcNow());   // the children kept for their parents may go now
            await writer.Commit();
        }
    }

    private async Task<bool> TellAsync(FlowRef parent, ChildOutcome outcome)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                // The parent's id names its partition: the notice goes straight there, wherever this child ran.
                await QueuePartitions.Of(GrainFactory).ForJob(parent.Queue, parent.JobId).ChildSettled(parent.JobId, outcome);
                return true;
            }
            catch (Exception ex) when (attempt < ParentNoticeBackoff.Length)
            {
                LogParentNoticeRetry(logger, queue, outcome.JobId, parent.Queue, ex);
                await Task.Delay(ParentNoticeBackoff[attempt]);
            }
            catch (Exception ex)
            {
                LogParentNoticeDeferred(logger, queue, outcome.JobId, parent.Queue, ex);
                return false;
            }
        }
    }

    private static ChildOutcome Outcome(JobRecord child) => new()
    {
        Index = child.Parent!.Index,
        Queue = child.Queue,
        JobId = child.Id,
        State = child.State,
        Result = child.State == JobState.Completed && child.Result is { Length: <= ChildOutcome.MaxCarriedResult } result ? result : null,
        ResultOmitted = child.State == JobState.Completed && child.Result is { Length: > ChildOutcome.MaxCarriedResult },
        Error = child.State == JobState.Completed ? null : child.Error ?? child.FailureReason,
        SettledAt = child.FinishedAt ?? child.UpdatedAt,
    };

    [LoggerMessage(1009, LogLevel.Debug, "Queue {Queue}: telling the parent in queue {ParentQueue} that job {JobId} settled failed; retrying")]
    private static partial void LogParentNoticeRetry(ILogger logger, string queue, string jobId, string parentQueue, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Queue {Queue}: the parent in queue {ParentQueue} of job {JobId} could not be told it settled; the next maintenance tick tries again")]
    private static partial void LogParentNoticeDeferred(ILogger logger, string queue, string jobId, string parentQueue, Exception exception);
}

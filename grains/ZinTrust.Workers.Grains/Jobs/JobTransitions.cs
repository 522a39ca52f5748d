using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The job state machine: the one place where a job's record changes. Pure (no grain, no I/O, no clock or randomness of its
/// own): a record and a command in, the new record and the event that says so out, or a refusal. The allowed moves:
/// <list type="bullet">
/// <item>waiting → active (lease) | cancelled</item>
/// <item>delayed → waiting (due) | cancelled</item>
/// <item>active → completed | failed (dead letter) | waiting (stall, release, retry, deferral) | delayed (retry or deferral
/// with a delay) | cancelled</item>
/// <item>failed → waiting (an operator's retry of a dead letter)</item>
/// <item>completed, cancelled, failed → deleted (pruning, retention, the dead-letter bound)</item>
/// </list>
/// Completed and cancelled are terminal: no command changes them but deletion, so a late or zombie report can never
/// overwrite a result. Commands about a running attempt are fenced: they apply only under the job's current lease token
/// and, where they name one, its holder.
/// </summary>
internal static class JobTransitions
{
    /// <summary>A new job from an enqueue request: waiting, delayed when the request asks for a delay, or waiting for its
    /// children when it is a flow's parent.</summary>
    public static (JobRecord Job, JobEvent Event) Enqueue(
        string id, string queue, EnqueueRequest request, JobOptions policy, long sequence, long fingerprint, DateTimeOffset? keyExpiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        var delay = request.RunAt is { } at ? at - now : request.Delay ?? TimeSpan.Zero;   // a runAt already past runs now
        var state = request.Children > 0 ? JobState.WaitingChildren : delay > TimeSpan.Zero ? JobState.Delayed : JobState.Waiting;
        var job = new JobRecord
        {
            Id = id,
            Queue = queue,
            Name = request.Name,
            Payload = request.Payload,
            Priority = request.Priority ?? policy.DefaultPriority,
            State = state,
            Sequence = sequence,
            MaxAttempts = request.Attempts ?? policy.Attempts,
            Backoff = request.Backoff ?? policy.Backoff,
            Timeout = request.Timeout ?? policy.Timeout,
            MaxStalls = policy.MaxStalls,
            RunAt = state == JobState.Delayed ? now + delay : null,
            IdempotencyKey = request.IdempotencyKey,
            IdempotencyFingerprint = fingerprint,
            IdempotencyExpiresAt = keyExpiresAt,
            Headers = request.Headers is { Count: > 0 } headers ? new Dictionary<string, string>(headers, StringComparer.Ordinal) : null,
            Group = request.Group,
            Flow = request.Parent is null && request.Children == 0 ? null
                : new FlowState { Parent = request.Parent, ChildrenExpected = request.Children, OnChildFailure = request.OnChildFailure },
            CreatedAt = now,
            UpdatedAt = now,
        };
        return (job, Event(JobEventKind.Enqueued, null, job, now));
    }

    /// <summary>Whether a job in <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanMove(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Waiting, JobState.Active or JobState.Cancelled) => true,
        (JobState.Delayed, JobState.Waiting or JobState.Cancelled) => true,
        (JobState.Active, JobState.Completed or JobState.Failed or JobState.Waiting or JobState.Delayed or JobState.Cancelled) => true,
        (JobState.Failed, JobState.Waiting) => true,
        (JobState.WaitingChildren, JobState.Waiting or JobState.Failed or JobState.Cancelled) => true,
        _ => false,
    };

    /// <summary>Applies <paramref name="command"/> to <paramref name="job"/> at <paramref name="now"/>.</summary>
    /// <remarks>Each applied command copies the record once (one <c>with</c> that sets the state, the time and the command's
    /// fields together) and captures nothing: this runs three times or more for every job.</remarks>
    public static Transition Apply(JobRecord job, JobCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(command);
        switch (command)
        {
            case JobCommand.Lease lease:
                return Refuse(job, JobState.Active) is { } leaseRefused ? leaseRefused : Moved(JobEventKind.Leased, job, job with
                {
                    State = JobState.Active,
                    UpdatedAt = now,
                    Attempt = job.Attempt + 1,
                    LeaseToken = lease.Token,
                    LeaseOwner = lease.Owner,
                    LeaseDeadline = lease.Deadline,
                    WorkerVersion = lease.Version,
                    StartedAt = now,
                    Progress = 0,
                }, now);
            case JobCommand.Renew renew:
                return Fence(job, renew.Owner, renew.Token) is { } staleRenewal
                    ? Transition.Refused(staleRenewal)
                    : new Transition(job with { LeaseDeadline = renew.Deadline }, null, JobRefusal.None);
            case JobCommand.Progress progress:
                if (Fence(job, progress.Owner, progress.Token) is { } staleProgress)
                {
                    return Transition.Refused(staleProgress);
                }

                var progressed = job with { Progress = Math.Clamp(progress.Percent, 0, 100), UpdatedAt = now };
                return new Transition(progressed, Event(JobEventKind.Progressed, job, progressed, now), JobRefusal.None);
            case JobCommand.Log log:
                return Fence(job, log.Owner, log.Token) is { } staleLog
                    ? Transition.Refused(staleLog)
                    : new Transition(Logged(job, log.Logs), null, JobRefusal.None);
            case JobCommand.Complete complete:
                return Fence(job, complete.Owner, complete.Token) is { } staleCompletion ? Transition.Refused(staleCompletion)
                    : Refuse(job, JobState.Completed) is { } completionRefused ? completionRefused
                    : Moved(JobEventKind.Completed, job, job with
                    {
                        State = JobState.Completed,
                        UpdatedAt = now,
                        LeaseOwner = null,
                        LeaseDeadline = null,
                        Result = complete.Result,
                        FinishedAt = now,
                        Progress = 100,
                        Error = null,
                    }, now);
            case JobCommand.Fail fail:
                return Fence(job, fail.Owner, fail.Token) is { } staleFailure ? Transition.Refused(staleFailure) : Failed(job, fail, now);
            case JobCommand.Release release:
                return Fence(job, release.Owner, release.Token) is { } staleRelease
                    ? Transition.Refused(staleRelease)
                    : HandBack(job, JobEventKind.Released, TimeSpan.Zero, now);
            case JobCommand.Defer defer:
                return Fence(job, defer.Owner, defer.Token) is { } staleDeferral
                    ? Transition.Refused(staleDeferral)
                    : HandBack(job, JobEventKind.Deferred, defer.Delay, now);
            case JobCommand.Stall:
                return job.State != JobState.Active ? Transition.Refused(JobRefusal.NotAllowed) : Stalled(job, now);
            case JobCommand.Cancel:
                return Refuse(job, JobState.Cancelled) is { } cancelRefused ? cancelRefused : Moved(JobEventKind.Cancelled, job, job with
                {
                    State = JobState.Cancelled,
                    UpdatedAt = now,
                    LeaseOwner = null,
                    LeaseDeadline = null,
                    FinishedAt = now,
                    FailureReason = JobFailureReasons.Cancelled,
                }, now);
            case JobCommand.Promote:
                return job.State != JobState.Delayed ? Transition.Refused(JobRefusal.NotAllowed)
                    : Refuse(job, JobState.Waiting) is { } promoteRefused ? promoteRefused
                    : Moved(JobEventKind.Promoted, job, job with { State = JobState.Waiting, UpdatedAt = now, RunAt = null }, now);
            case JobCommand.Revive:
                return Refuse(job, JobState.Waiting, from: JobState.Failed) is { } reviveRefused ? reviveRefused : Moved(JobEventKind.Revived, job, job with
                {
                    State = JobState.Waiting,
                    UpdatedAt = now,
                    Attempt = 0,
                    Stalls = 0,
                    FinishedAt = null,
                    FailureReason = null,
                    RunAt = null,
                }, now);
            case JobCommand.ChildSettled settled:
                return ChildSettled(job, settled.Outcome, now);
            case JobCommand.ParentNotified:
                return job.Flow is not { ParentNotified: false } flow
                    ? Transition.Refused(JobRefusal.NotAllowed)
                    : new Transition(job with { Flow = flow with { ParentNotified = true } }, null, JobRefusal.None);
            case JobCommand.Delete delete:
                return job.State is JobState.Completed or JobState.Cancelled or JobState.Failed
                    ? new Transition(null, Event(JobEventKind.Deleted, job, job, now) with { To = null, Reason = delete.Reason }, JobRefusal.None)
                    : Transition.Refused(JobRefusal.NotAllowed);
            case JobCommand.Erase:
                return job.State is not (JobState.Completed or JobState.Cancelled) ? Transition.Refused(JobRefusal.NotAllowed) : new Transition(job with
                {
                    Payload = "null",
                    Result = job.Result is null ? null : "null",
                    Error = null,
                    Logs = null,
                    LogsDropped = 0,
                    Headers = WithoutSubject(job.Headers),
                    UpdatedAt = now,
                }, null, JobRefusal.None);
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown job command.");
        }
    }

    private static IReadOnlyDictionary<string, string>? WithoutSubject(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null || !headers.ContainsKey(JobHeaders.DataSubject))
        {
            return headers;
        }

        var rest = headers.Where(h => h.Key != JobHeaders.DataSubject).ToDictionary(StringComparer.Ordinal);
        return rest.Count == 0 ? null : rest;
    }

    /// <summary>Null when a command about a running attempt may act: the job is active under <paramref name="token"/>, held by
    /// <paramref name="owner"/> (null: whoever holds it); otherwise why not.</summary>
    private static JobRefusal? Fence(JobRecord job, string? owner, long token) => job switch
    {
        _ when JobStateMachine.IsTerminal(job.State) => JobRefusal.AlreadyFinished,
        _ when job.State != JobState.Active || job.LeaseToken != token => JobRefusal.StaleLease,
        _ when owner is not null && !string.Equals(job.LeaseOwner, owner, StringComparison.Ordinal) => JobRefusal.StaleLease,
        _ => null,
    };

    private static Transition Failed(JobRecord job, JobCommand.Fail fail, DateTimeOffset now)
    {
        if (fail.Unrecoverable || job.Attempt >= job.MaxAttempts)
        {
            var reason = fail.Unrecoverable ? JobFailureReasons.Unrecoverable : JobFailureReasons.AttemptsExhausted;
            return Refuse(job, JobState.Failed) is { } refused ? refused : Moved(JobEventKind.DeadLettered, job, job with
            {
                State = JobState.Failed,
                UpdatedAt = now,
                LeaseOwner = null,
                LeaseDeadline = null,
                Error = fail.Error,
                FinishedAt = now,
                FailureReason = reason,
            }, now);
        }

        var delay = job.Backoff.ComputeDelay(job.Attempt, fail.Jitter);
        var to = delay <= TimeSpan.Zero ? JobState.Waiting : JobState.Delayed;
        return Refuse(job, to) is { } retryRefused ? retryRefused : Moved(JobEventKind.Retried, job, job with
        {
            State = to,
            UpdatedAt = now,
            LeaseOwner = null,
            LeaseDeadline = null,
            Error = fail.Error,
            RunAt = delay <= TimeSpan.Zero ? job.RunAt : now + delay,
        }, now);
    }

    /// <summary>
    /// A flow's parent records how a child settled (once per child index: a repeated notice is refused). A failed child under
    /// <see cref="ChildFailurePolicy.Fail"/> dead-letters the parent at once; the last child to settle makes it waiting.
    /// </summary>
    private static Transition ChildSettled(JobRecord job, ChildOutcome outcome, DateTimeOffset now)
    {
        if (job.State != JobState.WaitingChildren || job.Flow is not { } flow || flow.Children?.Any(c => c.Index == outcome.Index) == true)
        {
            return Transition.Refused(JobStateMachine.IsTerminal(job.State) ? JobRefusal.AlreadyFinished : JobRefusal.NotAllowed);
        }

        var children = new List<ChildOutcome>((flow.Children?.Count ?? 0) + 1);
        children.AddRange(flow.Children ?? []);
        children.Add(outcome);
        children.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        var recorded = flow with { Children = children };
        if (outcome.State != JobState.Completed && flow.OnChildFailure == ChildFailurePolicy.Fail)
        {
            return Moved(JobEventKind.DeadLettered, job, job with
            {
                State = JobState.Failed,
                UpdatedAt = now,
                Flow = recorded,
                FinishedAt = now,
                FailureReason = JobFailureReasons.ChildFailed,
                Error = $"Child {outcome.Index} (job {outcome.JobId} of queue {outcome.Queue}) {(outcome.State == JobState.Cancelled ? "was cancelled" : "failed")}: {outcome.Error}",
            }, now);
        }

        return children.Count < flow.ChildrenExpected
            ? new Transition(job with { Flow = recorded }, null, JobRefusal.None)
            : Moved(JobEventKind.Promoted, job, job with { State = JobState.Waiting, UpdatedAt = now, Flow = recorded }, now);
    }

    /// <summary>A holder gives a job back unfinished (a release, or a deferral with or without a delay): its attempt is not counted.</summary>
    private static Transition HandBack(JobRecord job, JobEventKind kind, TimeSpan delay, DateTimeOffset now)
    {
        var to = delay <= TimeSpan.Zero ? JobState.Waiting : JobState.Delayed;
        return Refuse(job, to) is { } refused ? refused : Moved(kind, job, job with
        {
            State = to,
            UpdatedAt = now,
            LeaseOwner = null,
            LeaseDeadline = null,
            Attempt = Math.Max(0, job.Attempt - 1),
            RunAt = delay <= TimeSpan.Zero ? job.RunAt : now + delay,
        }, now);
    }

    /// <summary>At-least-once: an expired lease means its holder died or hung; the job runs again (a stall, its attempt not
    /// counted), or past <see cref="JobRecord.MaxStalls"/> goes to the dead-letter set.</summary>
    private static Transition Stalled(JobRecord job, DateTimeOffset now)
    {
        int stalls = job.Stalls + 1;
        if (stalls > job.MaxStalls)
        {
            return Refuse(job, JobState.Failed) is { } deadRefused ? deadRefused : Moved(JobEventKind.DeadLettered, job, job with
            {
                State = JobState.Failed,
                UpdatedAt = now,
                LeaseOwner = null,
                LeaseDeadline = null,
                Stalls = stalls,
                FinishedAt = now,
                FailureReason = JobFailureReasons.Stalled,
                Error = job.Error ?? "The job's lease expired more often than allowed.",
            }, now);
        }

        return Refuse(job, JobState.Waiting) is { } refused ? refused : Moved(JobEventKind.Stalled, job, job with
        {
            State = JobState.Waiting,
            UpdatedAt = now,
            LeaseOwner = null,
            LeaseDeadline = null,
            Stalls = stalls,
            Attempt = Math.Max(0, job.Attempt - 1),
        }, now);
    }

    /// <summary>The refusal of a move of <paramref name="job"/> to <paramref name="to"/> (or null when the state machine allows it
    /// and the job is in <paramref name="from"/>, when given). Checked before the new record is made.</summary>
    private static Transition? Refuse(JobRecord job, JobState to, JobState? from = null) =>
        (from is { } required && job.State != required) || !CanMove(job.State, to)
            ? Transition.Refused(JobStateMachine.IsTerminal(job.State) ? JobRefusal.AlreadyFinished : JobRefusal.NotAllowed)
            : null;

    private static Transition Moved(JobEventKind kind, JobRecord before, JobRecord next, DateTimeOffset now)
    {
        System.Diagnostics.Debug.Assert(next.UpdatedAt == now && CanMove(before.State, next.State), "a move sets its state and time");
        return new Transition(next, Event(kind, before, next, now), JobRefusal.None);
    }

    /// <summary>The job with <paramref name="logs"/> appended to its log, keeping the last <see cref="JobLogLine.MaxLines"/>.</summary>
    private static JobRecord Logged(JobRecord job, JobLogBatch logs)
    {
        var lines = logs.Lines;
        int had = job.Logs?.Count ?? 0;
        int over = Math.Max(0, had + lines.Count - JobLogLine.MaxLines);
        var kept = new List<JobLogLine>(Math.Min(had + lines.Count, JobLogLine.MaxLines));
        if (job.Logs is { } old && over < had)
        {
            kept.AddRange(old.Skip(over));
        }

        kept.AddRange(lines.Skip(Math.Max(0, over - had)));
        return job with { Logs = kept, LogsDropped = job.LogsDropped + over + Math.Max(0, logs.Dropped) };
    }

    /// <summary>The event of a move from <paramref name="before"/> to <paramref name="after"/>; its replica is the lease's holder,
    /// before (a report, a stall) or after (a lease).</summary>
    private static JobEvent Event(JobEventKind kind, JobRecord? before, JobRecord after, DateTimeOffset now) => new()
    {
        Kind = kind,
        JobId = after.Id,
        Queue = after.Queue,
        From = before?.State,
        To = after.State,
        At = now,
        Attempt = after.Attempt,
        LeaseToken = after.LeaseToken,
        Replica = after.LeaseOwner ?? before?.LeaseOwner,
        Reason = kind is JobEventKind.DeadLettered or JobEventKind.Cancelled ? after.FailureReason : null,
        Error = kind is JobEventKind.Retried or JobEventKind.DeadLettered ? after.Error : null,
        Progress = after.Progress,
        Waited = kind == JobEventKind.Leased && before is not null ? now - before.UpdatedAt : null,
        Held = before is { State: JobState.Active, StartedAt: { } started } && after.State != JobState.Active ? now - started : null,
        Version = after.WorkerVersion,
    };
}

/// <summary>Why a command was not applied.</summary>
internal enum JobRefusal
{
    None = 0,

    /// <summary>The job is completed or cancelled.</summary>
    AlreadyFinished = 1,

    /// <summary>The command names a lease that is not the job's current one (token or holder).</summary>
    StaleLease = 2,

    /// <summary>The state machine has no such move from the job's state.</summary>
    NotAllowed = 3,
}

/// <summary>The outcome of a command: the new record (null once deleted) and its event (null when nothing durable changed), or a refusal.</summary>
internal readonly record struct Transition(JobRecord? Next, JobEvent? Event, JobRefusal Refusal)
{
    public bool Applied => Refusal == JobRefusal.None;

    public static Transition Refused(JobRefusal refusal) => new(null, null, refusal);
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The job state machine, command by command from every state: what each allows, what it changes, what it refuses.</summary>
public sealed class JobTransitionsTests
{
    private const string Holder = "worker/0";
    private const long Token = 1_764_000_000_000_007;
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = T0.AddMinutes(5);

    private static readonly Dictionary<string, JobCommand> Commands = new(StringComparer.Ordinal)
    {
        ["lease"] = new JobCommand.Lease("worker/1", Token + 1, Now.AddSeconds(30)),
        ["renew"] = new JobCommand.Renew(Holder, Token, Now.AddSeconds(30)),
        ["progress"] = new JobCommand.Progress(Holder, Token, 40),
        ["complete"] = new JobCommand.Complete(Holder, Token, "\"done\""),
        ["fail"] = new JobCommand.Fail(Holder, Token, "boom", Unrecoverable: false, Jitter: 0),
        ["fail-unrecoverable"] = new JobCommand.Fail(Holder, Token, "bad input", Unrecoverable: true, Jitter: 0),
        ["release"] = new JobCommand.Release(Holder, Token),
        ["defer"] = new JobCommand.Defer(Holder, Token, TimeSpan.Zero),
        ["defer-later"] = new JobCommand.Defer(Holder, Token, TimeSpan.FromSeconds(20)),
        ["stall"] = JobCommand.Stalled,
        ["cancel"] = JobCommand.Cancelled,
        ["promote"] = JobCommand.Due,
        ["revive"] = JobCommand.Retry,
        ["delete"] = new JobCommand.Delete(JobDeletionReasons.Pruned),
        ["child-settled"] = new JobCommand.ChildSettled(new ChildOutcome { Index = 0, Queue = "kids", JobId = "c1", State = JobState.Completed }),
        ["parent-notified"] = JobCommand.ParentTold,
    };

    /// <summary>Every command from every state: the state after (null: deleted) and the event, or the refusal.</summary>
    public static TheoryData<string, JobState, JobState?, JobEventKind?, string> Table()
    {
        var data = new TheoryData<string, JobState, JobState?, JobEventKind?, string>();
        foreach (var command in Commands.Keys)
        {
            foreach (var from in Enum.GetValues<JobState>())
            {
                var (to, kind, refusal) = Expected(command, from);
                data.Add(command, from, to, kind, refusal.ToString());
            }
        }

        return data;
    }

    private static (JobState?, JobEventKind?, JobRefusal) Expected(string command, JobState from)
    {
        bool terminal = from is JobState.Completed or JobState.Cancelled;
        (JobState?, JobEventKind?, JobRefusal) Refused(JobRefusal why) => (null, null, why);
        (JobState?, JobEventKind?, JobRefusal) Fenced(JobState to, JobEventKind kind) =>
            from == JobState.Active ? (to, kind, JobRefusal.None) : Refused(terminal ? JobRefusal.AlreadyFinished : JobRefusal.StaleLease);
        return command switch
        {
            "lease" => from == JobState.Waiting ? (JobState.Active, JobEventKind.Leased, JobRefusal.None) : Refused(terminal ? JobRefusal.AlreadyFinished : JobRefusal.NotAllowed),
            "renew" => from == JobState.Active ? (JobState.Active, null, JobRefusal.None) : Refused(terminal ? JobRefusal.AlreadyFinished : JobRefusal.StaleLease),
            "progress" => Fenced(JobState.Active, JobEventKind.Progressed),
            "complete" => Fenced(JobState.Completed, JobEventKind.Completed),
            "fail" => Fenced(JobState.Waiting, JobEventKind.Retried),
            "fail-unrecoverable" => Fenced(JobState.Failed, JobEventKind.DeadLettered),
            "release" => Fenced(JobState.Waiting, JobEventKind.Released),
            "defer" => Fenced(JobState.Waiting, JobEventKind.Deferred),
            "defer-later" => Fenced(JobState.Delayed, JobEventKind.Deferred),
            "stall" => from == JobState.Active ? (JobState.Waiting, JobEventKind.Stalled, JobRefusal.None) : Refused(JobRefusal.NotAllowed),
            "cancel" => from is JobState.Waiting or JobState.Delayed or JobState.Active or JobState.WaitingChildren
                ? (JobState.Cancelled, JobEventKind.Cancelled, JobRefusal.None)
                : Refused(terminal ? JobRefusal.AlreadyFinished : JobRefusal.NotAllowed),
            "promote" => from == JobState.Delayed ? (JobState.Waiting, JobEventKind.Promoted, JobRefusal.None) : Refused(JobRefusal.NotAllowed),
            "revive" => from == JobState.Failed ? (JobState.Waiting, JobEventKind.Revived, JobRefusal.None) : Refused(terminal ? JobRefusal.AlreadyFinished : JobRefusal.NotAllowed),
            "delete" => from is JobState.Completed or JobState.Cancelled or JobState.Failed ? (null, JobEventKind.Deleted, JobRefusal.None) : Refused(JobRefusal.NotAllowed),
            // The record here waits for no more than this one child: its settling makes the parent waiting.
            "child-settled" => from == JobState.WaitingChildren ? (JobState.Waiting, JobEventKind.Promoted, JobRefusal.None) : Refused(terminal ? JobRefusal.AlreadyFinished : JobRefusal.NotAllowed),
            "parent-notified" => (from, null, JobRefusal.None),   // a flag, in any state, no event
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
    }

    private static JobRecord In(JobState state) => new()
    {
        Id = "j1",
        Queue = "q",
        Payload = "{}",
        State = state,
        Attempt = state == JobState.Waiting ? 0 : 1,
        MaxAttempts = 3,
        Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.Zero },
        LeaseToken = Token,
        LeaseOwner = state == JobState.Active ? Holder : null,
        LeaseDeadline = state == JobState.Active ? Now.AddSeconds(10) : null,
        RunAt = state == JobState.Delayed ? Now : null,
        FinishedAt = state is JobState.Completed or JobState.Cancelled or JobState.Failed ? T0 : null,
        CreatedAt = T0,
        UpdatedAt = T0,
        MaxStalls = 1,
        Flow = new FlowState { Parent = new FlowRef { Queue = "parents", JobId = "p1" }, ChildrenExpected = 1 },   // every job in a flow: the flow commands apply
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EveryCommand_FromEveryState_MovesOrIsRefused_AsTheStateMachineSays(string command, JobState from, JobState? to, JobEventKind? kind, string refused)
    {
        var refusal = Enum.Parse<JobRefusal>(refused);
        var job = In(from);
        var transition = JobTransitions.Apply(job, Commands[command], Now);

        Assert.Equal(refusal, transition.Refusal);
        if (refusal != JobRefusal.None)
        {
            Assert.Null(transition.Next);
            Assert.Null(transition.Event);
            return;
        }

        Assert.Equal(to, transition.Next?.State);
        Assert.Equal(kind, transition.Event?.Kind);
        if (transition.Event is { } change)
        {
            Assert.Equal((from, to, "j1", "q", Now), (change.From!.Value, change.To, change.JobId, change.Queue, change.At));
        }

        if (to is { } state && state != from)
        {
            Assert.True(JobTransitions.CanMove(from, state), $"{from} → {state} happened but is not an allowed move");
            Assert.Equal(Now, transition.Next!.UpdatedAt);
        }
    }

    [Fact]
    public void CanMove_AllowsExactlyTheDocumentedMoves_AndNothingLeavesATerminalState()
    {
        var allowed = Enum.GetValues<JobState>().SelectMany(f => Enum.GetValues<JobState>().Where(t => JobTransitions.CanMove(f, t)).Select(t => (f, t))).ToHashSet();

        Assert.Equal(
            new HashSet<(JobState, JobState)>
            {
                (JobState.Waiting, JobState.Active), (JobState.Waiting, JobState.Cancelled),
                (JobState.Delayed, JobState.Waiting), (JobState.Delayed, JobState.Cancelled),
                (JobState.Active, JobState.Completed), (JobState.Active, JobState.Failed), (JobState.Active, JobState.Waiting),
                (JobState.Active, JobState.Delayed), (JobState.Active, JobState.Cancelled),
                (JobState.Failed, JobState.Waiting),
                (JobState.WaitingChildren, JobState.Waiting), (JobState.WaitingChildren, JobState.Failed), (JobState.WaitingChildren, JobState.Cancelled),
            },
            allowed);
    }

    [Fact]
    public void AParent_RecordsEachChildOnce_RunsAfterTheLast_AndAFailedChildFailsItOrNot_AsItsPolicySays()
    {
        var parent = In(JobState.WaitingChildren) with { Flow = new FlowState { ChildrenExpected = 2 } };   // a root: no parent of its own
        ChildOutcome Child(int index, JobState state) => new() { Index = index, Queue = "kids", JobId = $"c{index}", State = state, Error = state == JobState.Completed ? null : "boom" };

        var first = JobTransitions.Apply(parent, new JobCommand.ChildSettled(Child(1, JobState.Completed)), Now);
        var repeated = JobTransitions.Apply(first.Next!, new JobCommand.ChildSettled(Child(1, JobState.Completed)), Now);
        var last = JobTransitions.Apply(first.Next!, new JobCommand.ChildSettled(Child(0, JobState.Completed)), Now);
        var failed = JobTransitions.Apply(parent, new JobCommand.ChildSettled(Child(0, JobState.Failed)), Now);
        var ignored = JobTransitions.Apply(parent with { Flow = parent.Flow! with { OnChildFailure = ChildFailurePolicy.Ignore } }, new JobCommand.ChildSettled(Child(0, JobState.Cancelled)), Now);

        Assert.Equal((JobState.WaitingChildren, (JobEventKind?)null), (first.Next!.State, first.Event?.Kind));   // one of two: still waiting, nothing to tell
        Assert.Equal(JobRefusal.NotAllowed, repeated.Refusal);
        Assert.Equal((JobState.Waiting, JobEventKind.Promoted), (last.Next!.State, last.Event!.Kind));
        Assert.Equal([0, 1], last.Next.Children!.Select(c => c.Index));   // in index order, whatever order they settled in
        Assert.Equal((JobState.Failed, JobFailureReasons.ChildFailed), (failed.Next!.State, failed.Next.FailureReason));
        Assert.Contains("boom", failed.Next.Error, StringComparison.Ordinal);
        Assert.Equal(JobState.WaitingChildren, ignored.Next!.State);
        Assert.Equal(JobState.Cancelled, Assert.Single(ignored.Next.Children!).State);
    }

    [Fact]
    public void ACommandAboutAnAttempt_IsFencedByTheLeaseToken_AndByItsHolder()
    {
        var active = In(JobState.Active);

        Assert.Equal(JobRefusal.StaleLease, JobTransitions.Apply(active, new JobCommand.Complete(Holder, Token - 1, "1"), Now).Refusal);
        Assert.Equal(JobRefusal.StaleLease, JobTransitions.Apply(active, new JobCommand.Complete("intruder/0", Token, "1"), Now).Refusal);
        Assert.Equal(JobRefusal.StaleLease, JobTransitions.Apply(active, new JobCommand.Renew("intruder/0", Token, Now), Now).Refusal);
        Assert.True(JobTransitions.Apply(active, new JobCommand.Progress(null, Token, 10), Now).Applied);   // on the attempt's behalf
        Assert.Equal(JobRefusal.StaleLease, JobTransitions.Apply(active, new JobCommand.Progress(null, Token + 1, 10), Now).Refusal);
    }

    [Fact]
    public void Lease_StartsAnAttempt_UnderTheNewToken_AndHolder()
    {
        var leased = JobTransitions.Apply(In(JobState.Waiting), Commands["lease"], Now);

        Assert.Equal((1, Token + 1, "worker/1", Now.AddSeconds(30), Now, 0), (leased.Next!.Attempt, leased.Next.LeaseToken, leased.Next.LeaseOwner, leased.Next.LeaseDeadline, leased.Next.StartedAt, leased.Next.Progress));
        Assert.Equal(("worker/1", "worker", Token + 1, 1), (leased.Event!.Replica, leased.Event.Worker, leased.Event.LeaseToken, leased.Event.Attempt));
    }

    [Fact]
    public void Outcomes_EndTheLease_AndCountAttemptsAsDocumented()
    {
        var active = In(JobState.Active);

        var done = JobTransitions.Apply(active, Commands["complete"], Now).Next!;
        Assert.Equal(("\"done\"", 100, Now, (string?)null, (DateTimeOffset?)null), (done.Result, done.Progress, done.FinishedAt!.Value, done.LeaseOwner, done.LeaseDeadline));

        var released = JobTransitions.Apply(active, Commands["release"], Now).Next!;
        Assert.Equal(0, released.Attempt);   // handed back: the attempt does not count

        var deferred = JobTransitions.Apply(active, Commands["defer-later"], Now).Next!;
        Assert.Equal((0, Now.AddSeconds(20)), (deferred.Attempt, deferred.RunAt!.Value));

        var delayed = JobTransitions.Apply(active with { Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromSeconds(3) } }, Commands["fail"], Now);
        Assert.Equal((JobState.Delayed, Now.AddSeconds(3), "boom", JobEventKind.Retried), (delayed.Next!.State, delayed.Next.RunAt!.Value, delayed.Next.Error, delayed.Event!.Kind));

        var exhausted = JobTransitions.Apply(active with { Attempt = 3 }, Commands["fail"], Now);
        Assert.Equal((JobState.Failed, JobFailureReasons.AttemptsExhausted, JobFailureReasons.AttemptsExhausted), (exhausted.Next!.State, exhausted.Next.FailureReason, exhausted.Event!.Reason));

        var unrecoverable = JobTransitions.Apply(active, Commands["fail-unrecoverable"], Now).Next!;
        Assert.Equal(JobFailureReasons.Unrecoverable, unrecoverable.FailureReason);
    }

    [Fact]
    public void Stalls_ReturnTheJob_UntilOneTooMany_DeadLettersIt()
    {
        var first = JobTransitions.Apply(In(JobState.Active), JobCommand.Stalled, Now);
        Assert.Equal((JobState.Waiting, 1, 0, JobEventKind.Stalled, Holder), (first.Next!.State, first.Next.Stalls, first.Next.Attempt, first.Event!.Kind, first.Event.Replica));

        var second = JobTransitions.Apply(In(JobState.Active) with { Stalls = 1 }, JobCommand.Stalled, Now);
        Assert.Equal((JobState.Failed, 2, JobFailureReasons.Stalled, JobEventKind.DeadLettered), (second.Next!.State, second.Next.Stalls, second.Next.FailureReason, second.Event!.Kind));
    }

    [Fact]
    public void Revive_GivesADeadLetterFreshAttempts_AndDelete_SaysWhy()
    {
        var revived = JobTransitions.Apply(In(JobState.Failed) with { Stalls = 2, FailureReason = JobFailureReasons.Stalled }, JobCommand.Retry, Now).Next!;
        Assert.Equal((0, 0, (DateTimeOffset?)null, (string?)null), (revived.Attempt, revived.Stalls, revived.FinishedAt, revived.FailureReason));

        var deleted = JobTransitions.Apply(In(JobState.Completed), new JobCommand.Delete(JobDeletionReasons.Retention), Now);
        Assert.Null(deleted.Next);
        Assert.Equal((JobEventKind.Deleted, JobDeletionReasons.Retention, (JobState?)JobState.Completed, (JobState?)null), (deleted.Event!.Kind, deleted.Event.Reason, deleted.Event.From, deleted.Event.To));
    }

    [Fact]
    public void Enqueue_MakesAWaitingOrDelayedJob_WithThePolicysDefaults()
    {
        var policy = new JobOptions { Attempts = 4, DefaultPriority = JobPriority.High, MaxStalls = 2 };
        var (job, created) = JobTransitions.Enqueue("j9", "q", new EnqueueRequest { Payload = "[1]", Delay = TimeSpan.FromSeconds(5), IdempotencyKey = "k" }, policy, 12, 77, Now.AddDays(1), Now);

        Assert.Equal((JobState.Delayed, Now.AddSeconds(5), 4, JobPriority.High, 2, 12L), (job.State, job.RunAt!.Value, job.MaxAttempts, job.Priority, job.MaxStalls, job.Sequence));
        Assert.Equal(("k", 77L, Now.AddDays(1)), (job.IdempotencyKey, job.IdempotencyFingerprint, job.IdempotencyExpiresAt!.Value));
        Assert.Equal((JobEventKind.Enqueued, (JobState?)null, (JobState?)JobState.Delayed), (created.Kind, created.From, created.To));
    }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// How the states of a job are classified. The moves between them, and what each changes, live in one place on the silo
/// (the queue's transitions module): waiting → active | cancelled; delayed → waiting | cancelled; active → completed | failed
/// (dead letter) | waiting | delayed | cancelled; failed → waiting (an operator's retry); waiting-children (a flow's parent)
/// → waiting | failed | cancelled. Completed and cancelled are
/// terminal: nothing leaves them, so a late or zombie completion can never overwrite a result.
/// </summary>
public static class JobStateMachine
{
    /// <summary>True for states no transition leaves.</summary>
    public static bool IsTerminal(JobState state) => state is JobState.Completed or JobState.Cancelled;

    /// <summary>True when the job is parked in the dead-letter set.</summary>
    public static bool IsDeadLettered(JobState state) => state == JobState.Failed;

    /// <summary>True when the job will not run again unless an operator retries it: completed, dead-lettered or cancelled.
    /// What a caller awaiting a result waits for.</summary>
    public static bool IsSettled(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Cancelled;
}

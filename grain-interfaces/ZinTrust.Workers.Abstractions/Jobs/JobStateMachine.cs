namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The one guarded transition function of the job state machine.
/// </summary>
/// <remarks>
/// <para>Allowed moves:</para>
/// <list type="bullet">
/// <item>Waiting → Active (lease) | Cancelled</item>
/// <item>Delayed → Waiting (due) | Cancelled</item>
/// <item>Active → Completed | Failed (dead letter) | Waiting (stall, release, immediate retry) | Delayed (retry with backoff) | Cancelled</item>
/// <item>Failed → Waiting (an operator's dead-letter retry; a new lease epoch follows)</item>
/// </list>
/// <para>Completed and Cancelled are terminal: nothing leaves them, so a late or zombie completion can never
/// overwrite a result.</para>
/// </remarks>
public static class JobStateMachine
{
    /// <summary>True for states no transition leaves.</summary>
    public static bool IsTerminal(JobState state) => state is JobState.Completed or JobState.Cancelled;

    /// <summary>True when the job is parked in the dead-letter set.</summary>
    public static bool IsDeadLettered(JobState state) => state == JobState.Failed;

    /// <summary>True when the job will not run again unless an operator retries it: completed, dead-lettered or cancelled.
    /// What a caller awaiting a result waits for.</summary>
    public static bool IsSettled(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Cancelled;

    /// <summary>Whether <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanMove(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Waiting, JobState.Active or JobState.Cancelled) => true,
        (JobState.Delayed, JobState.Waiting or JobState.Cancelled) => true,
        (JobState.Active, JobState.Completed or JobState.Failed or JobState.Waiting or JobState.Delayed or JobState.Cancelled) => true,
        (JobState.Failed, JobState.Waiting) => true,
        _ => false,
    };

    /// <summary>Returns <paramref name="to"/> when the move is allowed, otherwise throws <see cref="WorkersException"/> (INVALID_JOB_TRANSITION).</summary>
    public static JobState Move(JobState from, JobState to)
    {
        if (!CanMove(from, to))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidJobTransition, $"A job cannot move from {from} to {to}.");
        }

        return to;
    }
}

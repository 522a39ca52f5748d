namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The closed set of job states. Moves between them go through <see cref="JobStateMachine"/> only.
/// </summary>
[GenerateSerializer, Alias("zt.JobState")]
public enum JobState
{
    /// <summary>Ready to be leased, ordered by priority then FIFO.</summary>
    Waiting = 0,

    /// <summary>Not before <see cref="JobRecord.RunAt"/>: a delayed job or a retry waiting out its backoff.</summary>
    Delayed = 1,

    /// <summary>Leased by a replica under a lease token; the lease expires unless renewed.</summary>
    Active = 2,

    /// <summary>Terminal: the processor returned a result.</summary>
    Completed = 3,

    /// <summary>In the dead-letter set: attempts spent, stalled too often, or unrecoverable. Only an operator's retry moves it.</summary>
    Failed = 4,

    /// <summary>Terminal: cancelled while waiting, delayed, running or waiting for its children.</summary>
    Cancelled = 5,

    /// <summary>A flow's parent: parked until each of its children (<see cref="FlowState.ChildrenExpected"/>) has settled, then
    /// waiting; dead-lettered at once when a child fails and its <see cref="FlowState.OnChildFailure"/> says so.</summary>
    WaitingChildren = 6,
}

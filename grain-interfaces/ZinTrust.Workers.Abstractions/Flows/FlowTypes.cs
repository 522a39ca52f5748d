namespace ZinTrust.Workers.Abstractions;

/// <summary>A flow's parent job as its children know it: the queue, the job and the child's place among its siblings.</summary>
[GenerateSerializer, Immutable, Alias("zt.FlowRef")]
public sealed record FlowRef
{
    [Id(0)] public required string Queue { get; init; }
    [Id(1)] public required string JobId { get; init; }

    /// <summary>The child's index among the parent's children (0-based).</summary>
    [Id(2)] public int Index { get; init; }
}

/// <summary>A job's place in a flow, as its record keeps it (<see cref="JobRecord.Flow"/>).</summary>
[GenerateSerializer, Immutable, Alias("zt.FlowState")]
public sealed record FlowState
{
    /// <summary>The parent this job is a child of; null for a flow's root.</summary>
    [Id(0)] public FlowRef? Parent { get; init; }

    /// <summary>How many children this job waits for (0: none).</summary>
    [Id(1)] public int ChildrenExpected { get; init; }

    /// <summary>The outcomes of the children that settled, in index order.</summary>
    [Id(2)] public IReadOnlyList<ChildOutcome>? Children { get; init; }

    [Id(3)] public ChildFailurePolicy OnChildFailure { get; init; }

    /// <summary>A child: its parent has been told how it settled.</summary>
    [Id(4)] public bool ParentNotified { get; init; }
}

/// <summary>What a failed child (dead-lettered or cancelled) does to its parent.</summary>
[GenerateSerializer, Alias("zt.ChildFailurePolicy")]
public enum ChildFailurePolicy
{
    /// <summary>The parent is dead-lettered at once (reason <c>child_failed</c>), whatever its other children do.</summary>
    Fail = 0,

    /// <summary>The failure is recorded with the child's outcome, and the parent runs once every child has settled.</summary>
    Ignore = 1,
}

/// <summary>How one child of a flow settled, as its parent recorded it.</summary>
[GenerateSerializer, Immutable, Alias("zt.ChildOutcome")]
public sealed record ChildOutcome
{
    [Id(0)] public int Index { get; init; }
    [Id(1)] public required string Queue { get; init; }
    [Id(2)] public required string JobId { get; init; }

    /// <summary>Completed, Failed (dead-lettered) or Cancelled.</summary>
    [Id(3)] public JobState State { get; init; }

    /// <summary>The child's result as JSON text (completed children).</summary>
    [Id(4)] public string? Result { get; init; }
    [Id(5)] public string? Error { get; init; }
    [Id(6)] public DateTimeOffset SettledAt { get; init; }

    /// <summary>The child's result was larger than <see cref="MaxCarriedResult"/> characters and is not carried to the parent:
    /// read it from the child job.</summary>
    [Id(7)] public bool ResultOmitted { get; init; }

    /// <summary>Characters of a child's result its parent carries (a parent of 1,000 children with large results would
    /// otherwise outgrow a record).</summary>
    public const int MaxCarriedResult = 64 * 1024;
}

/// <summary>
/// A flow to create: a job (<see cref="Job"/> in <see cref="Queue"/>) and its children, each a flow of its own, possibly in
/// other queues. A job with children waits (<see cref="JobState.WaitingChildren"/>) until every child has settled, then runs
/// with their outcomes (<see cref="JobContext.Children"/>).
/// </summary>
public sealed record JobFlow
{
    /// <summary>Children a job may have, and jobs a flow may have in all.</summary>
    public const int MaxJobs = 1000;

    /// <summary>Levels of a flow (the root is level 1).</summary>
    public const int MaxDepth = 10;

    public required string Queue { get; init; }

    /// <summary>The job itself; its idempotency key, when given, makes the whole flow's creation idempotent.</summary>
    public required EnqueueRequest Job { get; init; }

    public IReadOnlyList<JobFlow> Children { get; init; } = [];

    /// <summary>What a failed child does to this job.</summary>
    public ChildFailurePolicy OnChildFailure { get; init; }
}

/// <summary>A created flow: each job's queue and id, in the shape of the flow.</summary>
public sealed record FlowJob(string Queue, string JobId, bool Created, IReadOnlyList<FlowJob> Children);

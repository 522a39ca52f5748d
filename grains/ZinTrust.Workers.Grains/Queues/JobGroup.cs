namespace ZinTrust.Workers.Grains;

/// <summary>
/// One lane of a queue's lease rotation: the waiting jobs of one group (<see cref="Abstractions.JobRecord.Group"/>) in lease
/// order, or, for the lane without a <see cref="Name"/>, the jobs that have no group. Not thread-safe: owned by one queue index.
/// </summary>
internal sealed class JobGroup(string? name, IComparer<JobEntry> order)
{
    public string? Name { get; } = name;

    /// <summary>The lane's waiting jobs, highest priority first, FIFO within one (reserved ones excluded).</summary>
    public SortedSet<JobEntry> Waiting { get; } = new(order);

    /// <summary>The group's active jobs.</summary>
    public int Active { get; set; }

    /// <summary>The group's jobs picked for a lease whose records are being read: about to be active.</summary>
    public int Leasing { get; set; }

    /// <summary>The group's waiting (reserved included) and active jobs; the index forgets a group when it has none.</summary>
    public int Members { get; set; }

    /// <summary>The lane's place in the rotation, while it has waiting jobs (always, for the lane without a name).</summary>
    public LinkedListNode<JobGroup>? Turn { get; set; }
}

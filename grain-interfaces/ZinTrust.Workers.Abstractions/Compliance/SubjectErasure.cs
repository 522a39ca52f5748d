namespace ZinTrust.Workers.Abstractions;

/// <summary>What erasing one data subject's data did, in one queue or summed over all of them: jobs found, those cancelled
/// first (they had not settled), those anonymised (kept without their personal data) and dead letters deleted.</summary>
[GenerateSerializer, Immutable, Alias("zt.SubjectErasure")]
public sealed record SubjectErasure
{
    [Id(0)] public int Queues { get; init; }
    [Id(1)] public int Jobs { get; init; }
    [Id(2)] public int Cancelled { get; init; }
    [Id(3)] public int Anonymised { get; init; }
    [Id(4)] public int Deleted { get; init; }

    public static SubjectErasure None { get; } = new();

    public SubjectErasure Add(SubjectErasure other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new()
        {
            Queues = Queues + other.Queues,
            Jobs = Jobs + other.Jobs,
            Cancelled = Cancelled + other.Cancelled,
            Anonymised = Anonymised + other.Anonymised,
            Deleted = Deleted + other.Deleted,
        };
    }
}

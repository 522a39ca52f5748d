namespace ZinTrust.Workers.Grains;

/// <summary>
/// The audit log's single writer (key 0): it numbers and chains the records every silo sends, writes them to the
/// <see cref="IAuditStore"/> in batches, and answers queries and chain walks. Silo-side only: callers use <see cref="IAuditLog"/>.
/// </summary>
[Alias("zt.IAuditLogGrain"), Orleans.CodeGeneration.Version(1)]
public interface IAuditLogGrain : IGrainWithIntegerKey
{
    /// <summary>Appends unlinked records (their chain fields are set here), in order; returns once they are durable.</summary>
    [Alias("Append")]
    Task Append(IReadOnlyList<AuditRecord> records);

    /// <summary>A page of records, oldest first.</summary>
    [Alias("Query")]
    Task<AuditPage> Query(AuditQuery query);

    /// <summary>Walks the chain from <paramref name="fromSequence"/> (default: the oldest kept record, from the anchor) to
    /// <paramref name="toSequence"/> (default: the head) and checks every link.</summary>
    [Alias("Verify")]
    Task<AuditVerification> Verify(long? fromSequence, long? toSequence);
}

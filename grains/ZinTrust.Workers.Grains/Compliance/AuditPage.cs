namespace ZinTrust.Workers.Grains;

/// <summary>One page of records (oldest first) and the cursor of the next page: null when the log had no more to look at.</summary>
[GenerateSerializer, Immutable, Alias("zt.AuditPage")]
public sealed record AuditPage([property: Id(0)] IReadOnlyList<AuditRecord> Records, [property: Id(1)] long? Next);

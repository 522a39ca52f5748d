namespace ZinTrust.Workers.Grains;

/// <summary>The answer of a chain walk: whether every record checked holds, how many were checked, the sequence of the first
/// that does not (a changed record, or the place of a missing or misplaced one) and why.</summary>
[GenerateSerializer, Immutable, Alias("zt.AuditVerification")]
public sealed record AuditVerification(
    [property: Id(0)] bool Valid,
    [property: Id(1)] long Checked,
    [property: Id(2)] long? FirstBad,
    [property: Id(3)] string? Reason);

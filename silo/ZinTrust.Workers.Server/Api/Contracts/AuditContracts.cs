namespace ZinTrust.Workers.Server;

/// <summary>One audit record as GET /api/audit shows it.</summary>
public sealed record AuditRecordResponse(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string? Role,
    string Action,
    string? Target,
    string Outcome,
    string? ClientAddress,
    string? CorrelationId,
    IReadOnlyDictionary<string, string>? Details,
    string PreviousHash,
    string Hash);

/// <summary>GET /api/audit: records oldest first; <c>next</c> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record AuditPageResponse(IReadOnlyList<AuditRecordResponse> Records, long? Next);

/// <summary>GET /api/audit/verify: whether the chain holds, how many records were checked, the first bad sequence and why.</summary>
public sealed record AuditVerifyResponse(bool Valid, long Checked, long? FirstBad, string? Reason);

namespace ZinTrust.Workers.Server;

/// <summary>GET /api/compliance/status: every control, whether it is on, and which flags require it.</summary>
public sealed record ComplianceStatusResponse(
    bool Ok,
    ComplianceFlagsResponse Flags,
    EncryptionStatusResponse Encryption,
    AuditLogStatusResponse AuditLog,
    RetentionStatusResponse Retention,
    IReadOnlyList<ComplianceControlResponse> Controls);

public sealed record ComplianceFlagsResponse(bool Gdpr, bool Hipaa, bool Soc2);

/// <summary>One control: on or off, and the flags that require it (start-up stops when a required one is off).</summary>
public sealed record ComplianceControlResponse(string Name, bool Active, IReadOnlyList<string> RequiredBy);

public sealed record EncryptionStatusResponse(
    bool Enabled,
    bool Requested,
    string? Algorithm,
    string? ActiveKey,
    IReadOnlyList<EncryptionKeyResponse> Keys,
    long WarnAtEncryptions,
    EncryptionSweepResponse? Sweep);

/// <summary>A key of the ring: encryptions counted across the cluster (reported every 30 s by each silo).</summary>
public sealed record EncryptionKeyResponse(string Id, bool Active, DateTimeOffset? CreatedAt, long Encryptions, bool NearLimit);

public sealed record EncryptionSweepResponse(
    string KeyId,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    int QueuesTotal,
    int QueuesDone,
    long Records,
    IReadOnlyList<string> FailedQueues);

public sealed record AuditLogStatusResponse(bool Enabled);

public sealed record RetentionStatusResponse(int Days, bool Enabled, RetentionRunResponse? LastRun);

public sealed record RetentionRunResponse(DateTimeOffset At, DateTimeOffset Cutoff, int Queues, long Deleted, IReadOnlyList<string> FailedQueues);

/// <summary>DELETE /api/compliance/subjects/{subject}: what the erasure did (the subject itself is not echoed back).</summary>
public sealed record SubjectErasureResponse(bool Ok, int Queues, int Jobs, int Cancelled, int Anonymised, int Deleted);

public sealed record EncryptionSweepStartedResponse(bool Ok, EncryptionSweepResponse Sweep);

public sealed record RetentionRunResultResponse(bool Ok, RetentionRunResponse Run);

namespace ZinTrust.Workers.Grains;

/// <summary>The audit log: whether it records, how long it keeps records, and how its writer batches.</summary>
public sealed class AuditLogOptions
{
    /// <summary>The configuration section (appsettings <c>Workers:Audit</c>).</summary>
    public const string SectionName = "Workers:Audit";

    /// <summary>WORKER_AUDIT_LOG: record state-changing API calls, refused calls and the cluster's own decisions. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>WORKER_AUDIT_RETENTION_DAYS: records older than this many days are trimmed (the oldest first); 0 keeps every
    /// record. Default: 365.</summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>Most records in one store write (group commit: appends arriving while a write is in flight join the next one,
    /// up to this many). Default: 500.</summary>
    public int MaxBatch { get; set; } = 500;

    /// <summary>How long a caller waits for its record to be durable before it logs and counts a failure and goes on. Default: 10 s.</summary>
    public TimeSpan AppendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the writer applies retention while it is active (and once on activation). Default: 1 hour.</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromHours(1);
}

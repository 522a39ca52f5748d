namespace ZinTrust.Workers.Grains;

/// <summary>Retention and the compliance grain's schedule (appsettings <c>Workers:Compliance</c>; WORKER_DATA_RETENTION).</summary>
public sealed class ComplianceOptions
{
    public const string SectionName = "Workers:Compliance";

    /// <summary>Finished jobs and dead letters older than this are deleted in every queue (WORKER_DATA_RETENTION, in days).
    /// Null: no age limit (each queue's own bounds still apply). Default: 90 days (the original system's).</summary>
    public TimeSpan? DataRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the compliance grain's reminder runs retention and checks for an unfinished re-encryption. At least
    /// one minute (Orleans reminders' floor). Default: one hour.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}

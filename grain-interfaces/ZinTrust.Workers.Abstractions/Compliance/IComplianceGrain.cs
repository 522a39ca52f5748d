namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The cluster's compliance sweeps (one grain, key 0): a data subject's erasure across every queue, the re-encryption sweep
/// after a key rotation, and retention (finished jobs and dead letters past WORKER_DATA_RETENTION). Its reminder runs retention
/// and resumes an unfinished re-encryption wherever the grain lands.
/// </summary>
[Alias("zt.IComplianceGrain")]
public interface IComplianceGrain : IGrainWithIntegerKey
{
    /// <summary>Erases the subject's jobs in every queue (<see cref="IQueueGrain.EraseSubject"/>) and returns the sum.</summary>
    [Alias("EraseSubject")]
    Task<SubjectErasure> EraseSubject(string subject);

    /// <summary>Starts a re-encryption sweep under this silo's active key (one already running goes on); throws when
    /// encryption at rest is off.</summary>
    [Alias("StartReencryption")]
    Task<EncryptionSweep> StartReencryption();

    /// <summary>Runs retention now (as the reminder does); throws when retention is off.</summary>
    [Alias("RunRetention")]
    Task<RetentionRun> RunRetention();

    [Alias("GetStatus")]
    Task<ComplianceSweeps> GetStatus();

    /// <summary>Internal: a silo's encryptions per key since its last report (counted for the GCM bound).</summary>
    [Alias("ReportEncryptions")]
    Task ReportEncryptions(IReadOnlyDictionary<string, long> counts);
}

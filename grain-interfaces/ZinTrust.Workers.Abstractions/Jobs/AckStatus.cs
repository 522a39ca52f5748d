namespace ZinTrust.Workers.Abstractions;

/// <summary>The queue's answer to one reported outcome.</summary>
[GenerateSerializer, Alias("zt.AckStatus")]
public enum AckStatus
{
    /// <summary>The outcome was applied and is durable.</summary>
    Accepted = 0,

    /// <summary>The lease token is not the job's current one (the lease expired and the job moved on), or the reporting replica
    /// does not hold the lease: ignored.</summary>
    StaleLease = 1,

    /// <summary>No such job (deleted, or retention removed it).</summary>
    NotFound = 2,

    /// <summary>The job already reached a terminal state (for example it was cancelled): ignored.</summary>
    AlreadyFinished = 3,
}

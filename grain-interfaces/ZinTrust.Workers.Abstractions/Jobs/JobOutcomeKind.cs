namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.JobOutcomeKind")]
public enum JobOutcomeKind
{
    /// <summary>The processor returned.</summary>
    Completed = 0,

    /// <summary>The processor threw or timed out; retried while attempts remain.</summary>
    Failed = 1,

    /// <summary>The processor threw an unrecoverable error: straight to the dead-letter set.</summary>
    FailedUnrecoverable = 2,

    /// <summary>A graceful stop handed the job back before it finished; the attempt is not counted.</summary>
    Released = 3,
}

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

    /// <summary>
    /// Not run now (a plugin vetoed the start, or a dependency's circuit is open): back to the queue after
    /// <see cref="JobOutcome.Delay"/>; the attempt is not counted and nothing is recorded as a failure.
    /// </summary>
    Deferred = 4,
}

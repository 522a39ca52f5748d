namespace ZinTrust.Workers.Testing;

/// <summary>What the "test" processor does with a job.</summary>
public sealed record TestJob
{
    /// <summary>How long to run; honours the token unless <see cref="IgnoreCancellation"/>. -1 = until cancelled.</summary>
    public int SleepMs { get; init; }

    /// <summary>Throw on the first N attempts.</summary>
    public int FailTimes { get; init; }

    /// <summary>Throw on the first N executions of this job, whatever their attempt numbers.</summary>
    public int FailExecutions { get; init; }

    /// <summary>Throw an unrecoverable error.</summary>
    public bool Unrecoverable { get; init; }

    /// <summary>Keep sleeping even after the token fires.</summary>
    public bool IgnoreCancellation { get; init; }

    /// <summary>Report this progress before sleeping (0 = none).</summary>
    public int Progress { get; init; }

    public string? Tag { get; init; }

    /// <summary>Log this many lines ("line i of attempt a") before anything else (<see cref="JobContext.Log"/>).</summary>
    public int LogLines { get; init; }
}

namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.CancelResult")]
public enum CancelResult
{
    /// <summary>The job is now cancelled (if it was running, its processor's token was signalled).</summary>
    Cancelled = 0,

    /// <summary>The job had already finished; nothing changed.</summary>
    AlreadyFinished = 1,

    /// <summary>No such job.</summary>
    NotFound = 2,
}

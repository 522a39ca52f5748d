namespace ZinTrust.Workers.Abstractions;

/// <summary>Stable values of <see cref="JobRecord.FailureReason"/>.</summary>
public static class JobFailureReasons
{
    public const string AttemptsExhausted = "attempts_exhausted";
    public const string Stalled = "stalled";
    public const string Unrecoverable = "unrecoverable";
    public const string Cancelled = "cancelled";
    public const string Timeout = "timeout";

    /// <summary>A flow's parent whose child failed (dead-lettered or cancelled) under <see cref="ChildFailurePolicy.Fail"/>.</summary>
    public const string ChildFailed = "child_failed";
}

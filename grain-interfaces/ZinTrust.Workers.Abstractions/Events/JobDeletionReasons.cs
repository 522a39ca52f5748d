namespace ZinTrust.Workers.Abstractions;

/// <summary>Stable values of <see cref="JobEvent.Reason"/> for <see cref="JobEventKind.Deleted"/>.</summary>
public static class JobDeletionReasons
{
    /// <summary>Pruned by an operator (finished longer ago than asked).</summary>
    public const string Pruned = "pruned";

    /// <summary>Past the queue's retention of finished jobs.</summary>
    public const string Retention = "retention";

    /// <summary>The oldest dead letter past the queue's dead-letter bound.</summary>
    public const string DeadLetterBound = "dead_letter_bound";

    /// <summary>A dead letter an operator deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>A dead letter deleted because its data subject's data was erased.</summary>
    public const string Erased = "erased";
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// What may happen to a job: the closed set of commands <see cref="JobTransitions"/> applies. Commands about a running attempt
/// carry its lease (token and holder), so a command from an attempt that lost its lease is refused rather than applied.
/// </summary>
internal abstract record JobCommand
{
    /// <summary>Hand a waiting job to <paramref name="Owner"/> under <paramref name="Token"/>, until <paramref name="Deadline"/>.</summary>
    public sealed record Lease(string Owner, long Token, DateTimeOffset Deadline, string? Version = null) : JobCommand;

    /// <summary>Extend a lease (kept in memory only: nothing to store, no event).</summary>
    public sealed record Renew(string Owner, long Token, DateTimeOffset Deadline) : JobCommand;

    /// <summary>The running attempt's progress; <paramref name="Owner"/> null: whoever holds the lease.</summary>
    public sealed record Progress(string? Owner, long Token, int Percent) : JobCommand;

    /// <summary>Lines the running attempt logged; <paramref name="Owner"/> null: whoever holds the lease.</summary>
    public sealed record Log(string? Owner, long Token, JobLogBatch Logs) : JobCommand;

    public sealed record Complete(string Owner, long Token, string? Result) : JobCommand;

    /// <summary>The attempt failed; <paramref name="Jitter"/> (0..1) is the random draw the backoff's jitter uses.</summary>
    public sealed record Fail(string Owner, long Token, string? Error, bool Unrecoverable, double Jitter) : JobCommand;

    /// <summary>Handed back unstarted or on a graceful stop: the attempt does not count.</summary>
    public sealed record Release(string Owner, long Token) : JobCommand;

    /// <summary>Deferred by a plugin or an open circuit: waits <paramref name="Delay"/>, the attempt does not count.</summary>
    public sealed record Defer(string Owner, long Token, TimeSpan Delay) : JobCommand;

    /// <summary>A child of this flow's parent settled.</summary>
    public sealed record ChildSettled(ChildOutcome Outcome) : JobCommand;

    /// <summary>This child's parent was told how it settled (nothing to tell any more).</summary>
    public sealed record ParentNotified : JobCommand;

    /// <summary>The lease expired.</summary>
    public sealed record Stall : JobCommand;

    public sealed record Cancel : JobCommand;

    /// <summary>A delayed job is due.</summary>
    public sealed record Promote : JobCommand;

    /// <summary>An operator retries a dead letter.</summary>
    public sealed record Revive : JobCommand;

    /// <summary>Delete a finished or dead-lettered job; <paramref name="Reason"/> is one of <see cref="JobDeletionReasons"/>.</summary>
    public sealed record Delete(string Reason) : JobCommand;

    /// <summary>
    /// Erase the personal data of a completed or cancelled job (its data subject's right to erasure): payload, result, error and
    /// log lines are dropped and the <see cref="JobHeaders.DataSubject"/> header removed; state, times and ids stay, so counts and
    /// the audit trail still add up. The queue cancels a job that has not settled first (so no attempt writes a result
    /// afterwards) and deletes a dead-lettered one (so no retry runs it on an empty payload).
    /// </summary>
    public sealed record Erase : JobCommand;

    public static readonly Stall Stalled = new();
    public static readonly Erase Erased = new();
    public static readonly Cancel Cancelled = new();
    public static readonly Promote Due = new();
    public static readonly Revive Retry = new();
    public static readonly ParentNotified ParentTold = new();
}

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A page of the audit log: records after sequence <see cref="After"/> (oldest first), at most <see cref="Limit"/>, matching
/// every filter given (exact actor, action and outcome; a target equal to <see cref="Target"/> or under it, <c>target/…</c>;
/// a time within [<see cref="From"/>, <see cref="To"/>]).
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.AuditQuery")]
public sealed record AuditQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [Id(0)] public string? Actor { get; init; }
    [Id(1)] public string? Action { get; init; }
    [Id(2)] public string? Target { get; init; }
    [Id(3)] public string? Outcome { get; init; }
    [Id(4)] public DateTimeOffset? From { get; init; }
    [Id(5)] public DateTimeOffset? To { get; init; }

    /// <summary>The cursor: only records with a higher sequence (0: from the oldest kept).</summary>
    [Id(6)] public long After { get; init; }
    [Id(7)] public int Limit { get; init; } = DefaultLimit;

    public bool Matches(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (Actor is null || string.Equals(record.Actor, Actor, StringComparison.Ordinal))
            && (Action is null || string.Equals(record.Action, Action, StringComparison.Ordinal))
            && (Outcome is null || string.Equals(record.Outcome, Outcome, StringComparison.Ordinal))
            && (Target is null || (record.Target is { } target
                && (string.Equals(target, Target, StringComparison.Ordinal) || target.StartsWith(Target + "/", StringComparison.Ordinal))))
            && (From is null || record.At >= From)
            && (To is null || record.At <= To);
    }
}

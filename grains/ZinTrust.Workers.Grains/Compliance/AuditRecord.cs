namespace ZinTrust.Workers.Grains;

/// <summary>
/// One stored audit record: the fields of an <see cref="AuditEntry"/>, its place in the log (<see cref="Sequence"/>, from 1, no
/// gaps) and its links (<see cref="PreviousHash"/>, <see cref="Hash"/>; see <see cref="AuditChain"/> for the canonical form they
/// are computed over). Also what callers hand to the log grain, with the three chain fields still empty.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.AuditRecord")]
public sealed record AuditRecord
{
    /// <summary>The record's position in the log: 1 for the first record ever written, each next one + 1.</summary>
    [Id(0)] public long Sequence { get; init; }

    /// <summary>The <see cref="Hash"/> of the record before (lower-case hex); <see cref="AuditChain.Genesis"/> for record 1.</summary>
    [Id(1)] public string PreviousHash { get; init; } = "";

    /// <summary>SHA-256 of the record's canonical form, lower-case hex.</summary>
    [Id(2)] public string Hash { get; init; } = "";

    [Id(3)] public required string Actor { get; init; }

    [Id(4)] public string? Role { get; init; }

    [Id(5)] public required string Action { get; init; }

    [Id(6)] public string? Target { get; init; }

    [Id(7)] public required string Outcome { get; init; }

    /// <summary>When it happened, in UTC (the log keeps it to the tick, 100 ns).</summary>
    [Id(8)] public DateTimeOffset At { get; init; }

    [Id(9)] public string? ClientAddress { get; init; }

    [Id(10)] public string? CorrelationId { get; init; }

    [Id(11)] public IReadOnlyDictionary<string, string>? Details { get; init; }

    /// <summary>An entry to append: its fields, unlinked (sequence 0, no hashes), its time in UTC.</summary>
    public static AuditRecord From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditRecord
        {
            Actor = entry.Actor,
            Role = entry.Role,
            Action = entry.Action,
            Target = entry.Target,
            Outcome = entry.Outcome,
            At = entry.At.ToUniversalTime(),
            ClientAddress = entry.ClientAddress,
            CorrelationId = entry.CorrelationId,
            Details = entry.Details is null ? null : new Dictionary<string, string>(entry.Details, StringComparer.Ordinal),
        };
    }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// One alert: a rule's threshold breached by one subject for long enough. It stays one alert (one id) from its raise to its
/// resolution, through changes of severity; a later breach of the same rule and subject is a new alert.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.Alert")]
public sealed record Alert
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public AlertRule Rule { get; init; }
    [Id(2)] public AlertSubjectKind SubjectKind { get; init; }

    /// <summary>The worker's or queue's name, the silo's address, or <c>cluster</c>.</summary>
    [Id(3)] public required string Subject { get; init; }

    [Id(4)] public AlertSeverity Severity { get; init; }

    /// <summary>The latest value measured (while active; the last one before the resolution after).</summary>
    [Id(5)] public double Value { get; init; }

    /// <summary>The worst value measured while the alert was active.</summary>
    [Id(6)] public double Peak { get; init; }

    /// <summary>The threshold of the alert's severity.</summary>
    [Id(7)] public double Threshold { get; init; }

    /// <summary>The value the alert resolves at (the lowest enabled severity's threshold, less the hysteresis).</summary>
    [Id(8)] public double ClearThreshold { get; init; }

    /// <summary><c>score</c>, <c>percent</c>, <c>jobs</c>, <c>seconds</c>, or a currency code.</summary>
    [Id(9)] public required string Unit { get; init; }

    /// <summary>When the breach that raised it was first seen.</summary>
    [Id(10)] public DateTimeOffset Since { get; init; }

    [Id(11)] public DateTimeOffset RaisedAt { get; init; }

    /// <summary>When it was last evaluated with a reading of its subject.</summary>
    [Id(12)] public DateTimeOffset LastSeenAt { get; init; }

    [Id(13)] public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Why it was raised (or its severity last changed), for people.</summary>
    [Id(14)] public required string Message { get; init; }

    /// <summary>Why it was resolved, for people; null while active.</summary>
    [Id(15)] public string? Resolution { get; init; }

    /// <summary>It was critical at some point (then its resolution is audited).</summary>
    [Id(16)] public bool WasCritical { get; init; }

    public bool IsActive => ResolvedAt is null;
}

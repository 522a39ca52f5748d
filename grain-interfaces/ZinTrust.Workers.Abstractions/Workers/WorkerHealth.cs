namespace ZinTrust.Workers.Abstractions;

/// <summary>The latest result of a worker's health check.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerHealth")]
public sealed record WorkerHealth
{
    /// <summary>null: no check has run (or the worker has none).</summary>
    [Id(0)] public bool? Healthy { get; init; }
    [Id(1)] public string? Message { get; init; }
    [Id(2)] public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>Where the check ran: the replica's id, or the worker's name for a check the worker runs itself (HTTP, TCP).</summary>
    [Id(3)] public string? Source { get; init; }

    /// <summary>The worker generation of the replica that ran it (a report from before a restart is not counted).</summary>
    [Id(4)] public long Generation { get; init; }

    /// <summary>Failed runs in a row of this source's check, as counted for failure detection (0 when it passed or is not counted).</summary>
    [Id(5)] public int ConsecutiveFailures { get; init; }
}

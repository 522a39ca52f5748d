namespace ZinTrust.Workers.Abstractions;

/// <summary>A replica re-established on another silo.</summary>
public sealed record PluginFailoverContext
{
    public required string WorkerName { get; init; }

    public required string ReplicaId { get; init; }

    public required string FromSilo { get; init; }

    public required string ToSilo { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>For a move between regions (failover, fail-back, a new placement): the regions and why; null for a replica
    /// that moved between silos on its own.</summary>
    public string? FromRegion { get; init; }

    public string? ToRegion { get; init; }

    public string? Reason { get; init; }
}

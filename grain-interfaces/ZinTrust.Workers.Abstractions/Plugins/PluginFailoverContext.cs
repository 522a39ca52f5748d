namespace ZinTrust.Workers.Abstractions;

/// <summary>A replica re-established on another silo.</summary>
public sealed record PluginFailoverContext
{
    public required string WorkerName { get; init; }

    public required string ReplicaId { get; init; }

    public required string FromSilo { get; init; }

    public required string ToSilo { get; init; }

    public DateTimeOffset At { get; init; }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A change of a worker's replica count.</summary>
public sealed record PluginScaleContext
{
    public required string WorkerName { get; init; }

    public int FromReplicas { get; init; }

    public int ToReplicas { get; init; }

    /// <summary>Why (for example "queue depth 5000 > 1000").</summary>
    public required string Reason { get; init; }

    public DateTimeOffset At { get; init; }
}

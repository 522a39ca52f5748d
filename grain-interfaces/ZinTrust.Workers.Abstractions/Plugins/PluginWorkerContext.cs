namespace ZinTrust.Workers.Abstractions;

/// <summary>A worker that started or stopped.</summary>
public sealed record PluginWorkerContext
{
    public required string WorkerName { get; init; }

    public required string QueueName { get; init; }

    public required string Version { get; init; }

    public int Replicas { get; init; }

    /// <summary>The start's generation (it grows with every start).</summary>
    public long Generation { get; init; }

    /// <summary>The silo hosting the worker grain.</summary>
    public required string Silo { get; init; }

    public DateTimeOffset At { get; init; }
}

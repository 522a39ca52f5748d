namespace ZinTrust.Workers.Abstractions;

/// <summary>The job attempt a job hook is about.</summary>
public sealed record PluginJobContext
{
    public required string WorkerName { get; init; }

    public required string Queue { get; init; }

    public required string JobId { get; init; }

    public string? JobName { get; init; }

    /// <summary>1 for the first attempt.</summary>
    public int Attempt { get; init; }

    public int MaxAttempts { get; init; }

    public int Priority { get; init; }

    /// <summary>The payload as JSON text (plugins are trusted code; never log it).</summary>
    public string Payload { get; init; } = "null";

    /// <summary>The replica running the job (<c>{worker}/{n}</c>).</summary>
    public required string ReplicaId { get; init; }

    /// <summary>The silo running the job.</summary>
    public required string Silo { get; init; }
}

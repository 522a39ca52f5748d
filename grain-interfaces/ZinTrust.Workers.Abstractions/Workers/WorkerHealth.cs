namespace ZinTrust.Workers.Abstractions;

/// <summary>The latest result of a worker's health check.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerHealth")]
public sealed record WorkerHealth
{
    /// <summary>null: no check has run (or the worker has none).</summary>
    [Id(0)] public bool? Healthy { get; init; }
    [Id(1)] public string? Message { get; init; }
    [Id(2)] public DateTimeOffset? CheckedAt { get; init; }
}

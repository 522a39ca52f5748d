namespace ZinTrust.Workers.Abstractions;

/// <summary>A canary's decision: its versions, the traffic share before and after, and why.</summary>
public sealed record PluginCanaryContext
{
    public required string WorkerName { get; init; }

    public required string StableVersion { get; init; }

    public required string CanaryVersion { get; init; }

    public double FromPercent { get; init; }

    public double ToPercent { get; init; }

    public required string Reason { get; init; }

    /// <summary>The canary's health, 0..100, when it was decided.</summary>
    public int Health { get; init; }

    public DateTimeOffset At { get; init; }
}

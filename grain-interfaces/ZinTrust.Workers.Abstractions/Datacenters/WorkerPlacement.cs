namespace ZinTrust.Workers.Abstractions;

/// <summary>Where a worker's replicas run: only on silos of <see cref="Region"/> (spread over them), unless a failover moved
/// them to the policy's secondary region.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerPlacement")]
public sealed record WorkerPlacement
{
    /// <summary>A known region (registered, or declared by a silo).</summary>
    [Id(0)] public required string Region { get; init; }

    /// <summary>low | normal | high | critical: shown in the topology and used to order workers there. Default normal.</summary>
    [Id(1)] public string Priority { get; init; } = "normal";

    /// <summary>Up to 20 labels (1..100 characters each) recorded with the placement, as the original system had them.
    /// They are informational: placement itself follows the region only.</summary>
    [Id(2)] public IReadOnlyList<string> AffinityRules { get; init; } = [];

    public static readonly IReadOnlyList<string> Priorities = ["low", "normal", "high", "critical"];
}

/// <summary>
/// A worker's failover between two regions. With <see cref="AutoFailover"/> a reminder-driven grain checks the primary region
/// every <see cref="HealthCheckInterval"/>: when it has had no healthy silo (or the worker's replicas could not run there) for
/// that interval, the replicas move to the secondary region; once the primary has been healthy for <see cref="FailbackHold"/>,
/// they move back.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.FailoverPolicy")]
public sealed record FailoverPolicy
{
    [Id(0)] public required string PrimaryRegion { get; init; }

    [Id(1)] public required string SecondaryRegion { get; init; }

    [Id(2)] public bool AutoFailover { get; init; } = true;

    /// <summary>How often the primary is checked, and how long it must be down before the move (1 s..1 h). Default 30 s.</summary>
    [Id(3)] public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the primary must stay healthy before the replicas move back (0..24 h). Default 5 minutes.</summary>
    [Id(4)] public TimeSpan FailbackHold { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>One move of a worker's replicas between regions.</summary>
[GenerateSerializer, Immutable, Alias("zt.RegionMove")]
public sealed record RegionMove
{
    [Id(0)] public DateTimeOffset At { get; init; }

    [Id(1)] public string? From { get; init; }

    [Id(2)] public string? To { get; init; }

    /// <summary>placement | failover | failback.</summary>
    [Id(3)] public required string Kind { get; init; }

    [Id(4)] public required string Reason { get; init; }

    [Id(5)] public string? By { get; init; }
}

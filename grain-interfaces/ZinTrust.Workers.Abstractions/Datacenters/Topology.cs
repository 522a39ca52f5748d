namespace ZinTrust.Workers.Abstractions;

/// <summary>The cluster by region: what runs where, whether each region is healthy, and the latency between regions.</summary>
[GenerateSerializer, Immutable, Alias("zt.Topology")]
public sealed record Topology
{
    [Id(0)] public IReadOnlyList<RegionTopology> Regions { get; init; } = [];

    /// <summary>Round trips measured between one silo of each region and one of every other, by probe grains.</summary>
    [Id(1)] public IReadOnlyList<RegionLatency> Latencies { get; init; } = [];

    /// <summary>Workers with a placement or a failover policy, and where their replicas run now.</summary>
    [Id(2)] public IReadOnlyList<WorkerRegionStatus> Workers { get; init; } = [];

    [Id(3)] public DateTimeOffset At { get; init; }

    /// <summary>Silos that declare no region (SILO_REGION unset): they run only workers without a placement.</summary>
    [Id(4)] public IReadOnlyList<SiloTopology> UnplacedSilos { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("zt.RegionTopology")]
public sealed record RegionTopology
{
    [Id(0)] public required RegionDefinition Region { get; init; }

    [Id(1)] public IReadOnlyList<SiloTopology> Silos { get; init; } = [];

    /// <summary>At least one active silo.</summary>
    [Id(2)] public bool Healthy { get; init; }

    /// <summary>Replicas running in the region, by worker.</summary>
    [Id(3)] public IReadOnlyDictionary<string, int> Replicas { get; init; } = new Dictionary<string, int>();
}

[GenerateSerializer, Immutable, Alias("zt.SiloTopology")]
public sealed record SiloTopology
{
    [Id(0)] public required string Address { get; init; }

    [Id(1)] public string? Name { get; init; }

    [Id(2)] public string? Zone { get; init; }

    /// <summary>The membership status: active, joining, shuttingDown, stopping, dead.</summary>
    [Id(3)] public required string Status { get; init; }
}

[GenerateSerializer, Immutable, Alias("zt.RegionLatency")]
public sealed record RegionLatency
{
    [Id(0)] public required string From { get; init; }

    [Id(1)] public required string To { get; init; }

    /// <summary>The round trip of one grain call, in milliseconds; null when the probe failed.</summary>
    [Id(2)] public double? Milliseconds { get; init; }
}

/// <summary>A worker's placement, failover policy and where it runs now.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerRegionStatus")]
public sealed record WorkerRegionStatus
{
    [Id(0)] public required string Worker { get; init; }

    /// <summary>The region its replicas run in now; null = anywhere.</summary>
    [Id(1)] public string? Region { get; init; }

    [Id(2)] public WorkerPlacement? Placement { get; init; }

    [Id(3)] public FailoverPolicy? Failover { get; init; }

    /// <summary>primary | secondary (failed over) | none (no policy).</summary>
    [Id(4)] public string FailoverState { get; init; } = "none";

    /// <summary>Since when the region the policy watches has been unhealthy (primary) or healthy (for a fail-back).</summary>
    [Id(5)] public DateTimeOffset? ConditionSince { get; init; }

    /// <summary>The last moves, oldest first (at most 50).</summary>
    [Id(6)] public IReadOnlyList<RegionMove> Moves { get; init; } = [];
}

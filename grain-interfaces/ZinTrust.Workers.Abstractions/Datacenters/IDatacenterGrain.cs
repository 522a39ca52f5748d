using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>The cluster's regions (a singleton, key 0): registered regions and the topology.</summary>
[Alias("zt.IDatacenterGrain"), Orleans.CodeGeneration.Version(1)]
public interface IDatacenterGrain : IGrainWithIntegerKey
{
    /// <summary>Registers a region or replaces its name, location and capacity. INVALID_REGION.</summary>
    [Alias("RegisterRegion")]
    Task<RegionDefinition> RegisterRegion(RegionDefinition region);

    /// <summary>A silo starting in <paramref name="region"/> (SILO_REGION): records the region unless it is known (never
    /// overwriting a registration) and where the silo (<paramref name="silo"/>, its parsable address) is, so the topology
    /// shows it in its region after it died.</summary>
    [Alias("DeclareRegion")]
    Task DeclareRegion(string region, string silo, string? zone);

    [AlwaysInterleave, Alias("ListRegions")]
    Task<IReadOnlyList<RegionDefinition>> ListRegions();

    /// <summary>The region, or null.</summary>
    [AlwaysInterleave, Alias("GetRegion")]
    Task<RegionDefinition?> GetRegion(string id);

    /// <summary>Regions, their silos and health, replicas per worker per region, latency between regions.</summary>
    [AlwaysInterleave, Alias("GetTopology")]
    Task<Topology> GetTopology();
}

/// <summary>A worker's region failover (key: the worker's name): watches its policy's primary region on a durable reminder and
/// moves the replicas to the secondary and back.</summary>
[Alias("zt.IFailoverGrain"), Orleans.CodeGeneration.Version(1)]
public interface IFailoverGrain : IGrainWithStringKey
{
    /// <summary>Starts (or stops, for a policy without auto-failover or none) watching the worker's policy. One-way: the worker
    /// calls it from its own turns, and the failover grain calls the worker.</summary>
    [OneWay, Alias("Watch")]
    Task Watch();

    /// <summary>Checks the policy now (what the reminder and timer do).</summary>
    [Alias("Evaluate")]
    Task Evaluate();

    /// <summary>Since when the condition the watch waits for has held (see <see cref="WorkerRegionStatus.ConditionSince"/>).</summary>
    [AlwaysInterleave, Alias("GetConditionSince")]
    Task<DateTimeOffset?> GetConditionSince();
}

/// <summary>One per silo (key: the silo's address), placed on that silo: answers pings and measures round trips to other silos.</summary>
[Alias("zt.ISiloProbeGrain"), Orleans.CodeGeneration.Version(1)]
public interface ISiloProbeGrain : IGrainWithStringKey
{
    [AlwaysInterleave, Alias("Ping")]
    Task Ping();

    /// <summary>The round trip of a ping to the probe of <paramref name="silo"/>, in milliseconds; null when it fails in 2 s.</summary>
    [AlwaysInterleave, Alias("MeasureTo")]
    Task<double?> MeasureTo(string silo);
}

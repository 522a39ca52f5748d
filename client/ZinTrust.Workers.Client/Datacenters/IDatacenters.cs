using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Regions, topology, and where workers run (placement and failover between regions).</summary>
public interface IDatacenters
{
    /// <summary>Registers a region or replaces its name, location and capacity. INVALID_REGION.</summary>
    Task<RegionDefinition> RegisterRegionAsync(RegionDefinition region, CancellationToken cancellationToken = default);

    /// <summary>Registered regions and those the silos declare.</summary>
    Task<IReadOnlyList<RegionDefinition>> ListRegionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Regions with their silos and health, replicas per worker per region, latency between regions.</summary>
    Task<Topology> GetTopologyAsync(CancellationToken cancellationToken = default);

    /// <summary>Places a worker's replicas in a region (null: anywhere). REGION_NOT_FOUND, INVALID_PLACEMENT.</summary>
    Task<WorkerInfo> PlaceWorkerAsync(string name, WorkerPlacement? placement, CancellationToken cancellationToken = default);

    /// <summary>Sets (null: removes) a worker's failover policy. REGION_NOT_FOUND, INVALID_FAILOVER_POLICY.</summary>
    Task<WorkerInfo> SetFailoverPolicyAsync(string name, FailoverPolicy? policy, CancellationToken cancellationToken = default);

    /// <summary>Where the worker runs now, its placement and policy, and its last moves.</summary>
    Task<WorkerRegionStatus> GetPlacementAsync(string name, CancellationToken cancellationToken = default);
}

internal sealed class Datacenters(IClusterClient client) : IDatacenters
{
    private static string By => ClientGrains.By;

    public Task<RegionDefinition> RegisterRegionAsync(RegionDefinition region, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        return Datacenter().RegisterRegion(region).WaitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<RegionDefinition>> ListRegionsAsync(CancellationToken cancellationToken = default) => Datacenter().ListRegions().WaitAsync(cancellationToken);

    public Task<Topology> GetTopologyAsync(CancellationToken cancellationToken = default) => Datacenter().GetTopology().WaitAsync(cancellationToken);

    public Task<WorkerInfo> PlaceWorkerAsync(string name, WorkerPlacement? placement, CancellationToken cancellationToken = default) =>
        Worker(name).SetPlacement(placement, By).WaitAsync(cancellationToken);

    public Task<WorkerInfo> SetFailoverPolicyAsync(string name, FailoverPolicy? policy, CancellationToken cancellationToken = default) =>
        Worker(name).SetFailover(policy, By).WaitAsync(cancellationToken);

    public Task<WorkerRegionStatus> GetPlacementAsync(string name, CancellationToken cancellationToken = default) =>
        Worker(name).GetRegionStatus().WaitAsync(cancellationToken);

    private IDatacenterGrain Datacenter() => client.GetGrain<IDatacenterGrain>(0);

    private IWorkerGrain Worker(string name) => ClientGrains.Worker(client, name);
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>POST /api/datacenters/regions: the original's registerRegion body.</summary>
public sealed class RegionRequest
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public LocationRequest? Location { get; init; }
    public int? Capacity { get; init; }
}

public sealed class LocationRequest
{
    public double? Lat { get; init; }
    public double? Lon { get; init; }
}

/// <summary>PUT /api/workers/{name}/placement: the original's placeWorker(name, region, {priority, affinityRules}).</summary>
public sealed class PlacementRequest
{
    public string? Region { get; init; }
    public string? Priority { get; init; }
    public IReadOnlyList<string>? AffinityRules { get; init; }
}

/// <summary>PUT /api/workers/{name}/failover: the original's setFailoverPolicy body (intervals in milliseconds), plus the
/// fail-back hold.</summary>
public sealed class FailoverRequest
{
    public string? PrimaryRegion { get; init; }
    public string? SecondaryRegion { get; init; }
    public bool? AutoFailover { get; init; }
    public double? HealthCheckInterval { get; init; }
    public double? FailbackHold { get; init; }
}

/// <summary>The original's <c>datacenter</c> block of a worker definition: the primary region (placement), secondary regions
/// (the first is the failover target) and affinity rules.</summary>
public sealed class DatacenterRequest
{
    public string? PrimaryRegion { get; init; }
    public IReadOnlyList<string>? SecondaryRegions { get; init; }
    public IReadOnlyList<string>? AffinityRules { get; init; }
    public string? Priority { get; init; }
    public bool? AutoFailover { get; init; }
    public double? HealthCheckInterval { get; init; }
}

public sealed record LocationResponse(double Lat, double Lon);

public sealed record RegionResponse(string Id, string Name, LocationResponse? Location, int Capacity, bool Registered, DateTimeOffset? UpdatedAt);

public sealed record PlacementResponse(string Region, string Priority, IReadOnlyList<string> AffinityRules);

public sealed record FailoverPolicyResponse(string PrimaryRegion, string SecondaryRegion, bool AutoFailover, double HealthCheckInterval, double FailbackHold);

public sealed record RegionMoveResponse(DateTimeOffset At, string? From, string? To, string Kind, string Reason, string? By);

public sealed record WorkerRegionResponse(
    string Worker,
    string? Region,
    PlacementResponse? Placement,
    FailoverPolicyResponse? Failover,
    string FailoverState,
    DateTimeOffset? ConditionSince,
    IReadOnlyList<RegionMoveResponse> Moves);

public sealed record SiloTopologyResponse(string Address, string? Name, string? Zone, string Status);

public sealed record RegionTopologyResponse(RegionResponse Region, bool Healthy, IReadOnlyList<SiloTopologyResponse> Silos, IReadOnlyDictionary<string, int> Replicas);

public sealed record RegionLatencyResponse(string From, string To, double? Milliseconds);

public sealed record TopologyResponse(
    bool Ok,
    DateTimeOffset At,
    IReadOnlyList<RegionTopologyResponse> Regions,
    IReadOnlyList<SiloTopologyResponse> UnplacedSilos,
    IReadOnlyList<RegionLatencyResponse> Latencies,
    IReadOnlyList<WorkerRegionResponse> Workers);

public sealed record RegionListResponse(bool Ok, IReadOnlyList<RegionResponse> Regions, int Count);

public sealed record RegionActionResponse(bool Ok, string Message, RegionResponse Region);

public sealed record WorkerRegionActionResponse(bool Ok, string Message, WorkerRegionResponse Placement);

/// <summary>Domain records to response bodies (durations in milliseconds, as the original's bodies have them).</summary>
public static class DatacenterMapping
{
    public static RegionResponse ToResponse(RegionDefinition r) =>
        new(r.Id, r.Name ?? r.Id, r.Location is { } l ? new LocationResponse(l.Lat, l.Lon) : null, r.Capacity, r.Registered, r.UpdatedAt == default ? null : r.UpdatedAt);

    public static WorkerRegionResponse ToResponse(WorkerRegionStatus s) => new(
        s.Worker,
        s.Region,
        ToResponse(s.Placement),
        ToResponse(s.Failover),
        s.FailoverState,
        s.ConditionSince,
        [.. s.Moves.Select(m => new RegionMoveResponse(m.At, m.From, m.To, m.Kind, m.Reason, m.By))]);

    public static PlacementResponse? ToResponse(WorkerPlacement? p) => p is null ? null : new(p.Region, p.Priority, p.AffinityRules);

    public static FailoverPolicyResponse? ToResponse(FailoverPolicy? f) =>
        f is null ? null : new(f.PrimaryRegion, f.SecondaryRegion, f.AutoFailover, f.HealthCheckInterval.TotalMilliseconds, f.FailbackHold.TotalMilliseconds);

    public static TopologyResponse ToResponse(Topology t) => new(
        true,
        t.At,
        [.. t.Regions.Select(r => new RegionTopologyResponse(ToResponse(r.Region), r.Healthy, [.. r.Silos.Select(ToResponse)], r.Replicas))],
        [.. t.UnplacedSilos.Select(ToResponse)],
        [.. t.Latencies.Select(l => new RegionLatencyResponse(l.From, l.To, l.Milliseconds))],
        [.. t.Workers.Select(ToResponse)]);

    private static SiloTopologyResponse ToResponse(SiloTopology s) => new(s.Address, s.Name, s.Zone, s.Status);

    /// <summary>The definition's placement and failover policy from the original's <c>datacenter</c> block.</summary>
    public static (WorkerPlacement? Placement, FailoverPolicy? Failover) FromDatacenter(DatacenterRequest? block)
    {
        if (block is null)
        {
            return (null, null);
        }

        if (string.IsNullOrEmpty(block.PrimaryRegion))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.MissingRequiredField, "datacenter.primaryRegion is required.");
        }

        var placement = new WorkerPlacement { Region = block.PrimaryRegion, Priority = block.Priority ?? "normal", AffinityRules = block.AffinityRules ?? [] };
        var secondary = block.SecondaryRegions is { Count: > 0 } s ? s[0] : null;
        var defaults = new FailoverPolicy { PrimaryRegion = block.PrimaryRegion, SecondaryRegion = secondary ?? "" };
        var failover = secondary is null ? null : defaults with
        {
            AutoFailover = block.AutoFailover ?? true,
            HealthCheckInterval = block.HealthCheckInterval is { } ms ? Milliseconds(ms, "datacenter.healthCheckInterval") : defaults.HealthCheckInterval,
        };
        return (placement, failover);
    }

    public static TimeSpan Milliseconds(double value, string field) =>
        value is >= 0 and <= 24 * 3600 * 1000 ? TimeSpan.FromMilliseconds(value)
        : throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidFailoverPolicy, $"{field} must be between 0 and 86400000 milliseconds.");
}

public sealed record WorkerPlacementAnswer(bool Ok, WorkerRegionResponse Placement);

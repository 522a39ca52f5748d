using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The persisted regions: registered by operators or declared by silos.</summary>
[GenerateSerializer, Alias("zt.DatacenterGrainState")]
public sealed class DatacenterGrainState
{
    [Id(0)] public Dictionary<string, RegionDefinition> Regions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where each silo said it runs (parsable address: region, zone), while it is in the membership table.</summary>
    [Id(1)] public Dictionary<string, SiloDeclaration> Silos { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("zt.SiloDeclaration")]
public sealed record SiloDeclaration([property: Id(0)] string Region, [property: Id(1)] string? Zone);

/// <summary>
/// The cluster's regions (see <see cref="IDatacenterGrain"/>). The topology is computed on request from this silo's membership
/// view and silo metadata, the workers' replica statuses and probe round trips, so it shows the cluster as it is, not as it was
/// last recorded.
/// </summary>
internal sealed partial class DatacenterGrain(
    [PersistentState("datacenters", WorkersStorage.Name)] IPersistentState<DatacenterGrainState> state,
    RegionDirectory regions,
    [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
    ILogger<DatacenterGrain> logger) : Grain, IDatacenterGrain
{
    public const int MaxRegions = 100;
    private static readonly TimeSpan WorkerProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<RegionDefinition> RegisterRegion(RegionDefinition region)
    {
        ArgumentNullException.ThrowIfNull(region);
        WorkerValidation.ThrowIfInvalid(RegionValidation.Validate(region));
        if (!state.State.Regions.ContainsKey(region.Id) && state.State.Regions.Count >= MaxRegions)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidRegion, $"The cluster already has {MaxRegions} regions.");
        }

        var stored = region with { Name = region.Name?.Trim() ?? region.Id, Registered = true, UpdatedAt = clock.GetUtcNow() };
        state.State.Regions[region.Id] = stored;
        await state.WriteStateAsync();
        LogRegistered(logger, region.Id);
        return stored;
    }

    public async Task DeclareRegion(string region, string silo, string? zone)
    {
        if (!WorkerValidation.IsValidRegion(region))
        {
            return;
        }

        if (!state.State.Regions.ContainsKey(region) && state.State.Regions.Count < MaxRegions)
        {
            state.State.Regions[region] = new RegionDefinition { Id = region, Name = region, Registered = false, UpdatedAt = clock.GetUtcNow() };
        }

        // Silos that left the membership table are forgotten as others arrive (the table's own clean-up bounds this).
        var members = regions.Silos().Select(s => s.Address.ToParsableString()).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in state.State.Silos.Keys.Where(k => !members.Contains(k) && k != silo).ToList())
        {
            state.State.Silos.Remove(gone);
        }

        state.State.Silos[silo] = new SiloDeclaration(region, zone);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<RegionDefinition>> ListRegions() =>
        Task.FromResult<IReadOnlyList<RegionDefinition>>([.. state.State.Regions.Values.OrderBy(r => r.Id, StringComparer.Ordinal)]);

    public Task<RegionDefinition?> GetRegion(string id) => Task.FromResult(state.State.Regions.GetValueOrDefault(id));

    public async Task<Topology> GetTopology()
    {
        // A silo's metadata leaves the cache when it dies: its declaration keeps it in its region in the view.
        var silos = regions.Silos()
            .Select(s => s.Region is null && state.State.Silos.TryGetValue(s.Address.ToParsableString(), out var declared) ? s with { Region = declared.Region, Zone = declared.Zone } : s)
            .ToList();
        var known = new Dictionary<string, RegionDefinition>(state.State.Regions, StringComparer.Ordinal);
        foreach (var region in silos.Select(s => s.Region).OfType<string>().Where(r => !known.ContainsKey(r)))
        {
            known[region] = new RegionDefinition { Id = region, Name = region };
        }

        var workers = await Workers();
        var replicas = await ReplicasByRegion(workers, silos);
        var latencies = await Latencies(silos);
        return new Topology
        {
            At = clock.GetUtcNow(),
            Regions = [.. known.Values.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => new RegionTopology
            {
                Region = r,
                Silos = [.. silos.Where(s => s.Region == r.Id).Select(View)],
                Healthy = silos.Any(s => s.Region == r.Id && s.Status == SiloStatus.Active),
                Replicas = replicas.GetValueOrDefault(r.Id) ?? new Dictionary<string, int>(),
            })],
            UnplacedSilos = [.. silos.Where(s => s.Region is null).Select(View)],
            Latencies = latencies,
            Workers = [.. workers.Select(w => w.Status).OfType<WorkerRegionStatus>().Where(w => w.Placement is not null || w.Failover is not null || w.Region is not null)],
        };
    }

    private static SiloTopology View(SiloPlace silo) => new()
    {
        Address = silo.Address.ToParsableString(),
        Name = silo.Name,
        Zone = silo.Zone,
        Status = silo.Status switch
        {
            SiloStatus.Active => "active",
            SiloStatus.Joining or SiloStatus.Created => "joining",
            SiloStatus.ShuttingDown => "shuttingDown",
            SiloStatus.Stopping => "stopping",
            _ => "dead",
        },
    };

    /// <summary>Every worker's region status.</summary>
    private async Task<List<(WorkerIndexEntry Entry, WorkerRegionStatus? Status)>> Workers()
    {
        var entries = await GrainFactory.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: true);
        var statuses = await Task.WhenAll(entries.Select(async e =>
        {
            try
            {
                return (e, (WorkerRegionStatus?)await GrainFactory.GetGrain<IWorkerGrain>(e.Name).GetRegionStatus());
            }
            catch (WorkersException)
            {
                return (e, null);   // deleted meanwhile
            }
        }));
        return [.. statuses];
    }

    /// <summary>Running replicas per region per worker, from the replicas' own reports of their silo.</summary>
    private async Task<Dictionary<string, Dictionary<string, int>>> ReplicasByRegion(
        IEnumerable<(WorkerIndexEntry Entry, WorkerRegionStatus? Status)> workers,
        IReadOnlyList<SiloPlace> silos)
    {
        var regionOf = silos.ToDictionary(s => s.Address.ToString(), s => s.Region, StringComparer.Ordinal);
        var result = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var running = workers.Where(w => w.Entry.Status is WorkerStatus.Running or WorkerStatus.Starting).Select(w => w.Entry.Name);
        var reports = await Task.WhenAll(running.Select(async name =>
        {
            try
            {
                return (name, (await GrainFactory.GetGrain<IWorkerGrain>(name).GetStatus().WaitAsync(WorkerProbeTimeout)).Replicas);
            }
            catch (Exception ex) when (ex is WorkersException or TimeoutException or OrleansException)
            {
                return (name, (IReadOnlyList<ReplicaStatus>)[]);   // its replicas cannot answer now (a region being lost): none counted
            }
        }));
        foreach (var (name, replicaList) in reports)
        {
            foreach (var replica in replicaList.Where(r => r.State == ReplicaState.Running && r.Silo is not null))
            {
                if (regionOf.GetValueOrDefault(replica.Silo!) is { } region)
                {
                    var counts = result.TryGetValue(region, out var c) ? c : result[region] = new Dictionary<string, int>(StringComparer.Ordinal);
                    counts[name] = counts.GetValueOrDefault(name) + 1;
                }
            }
        }

        return result;
    }

    /// <summary>One round trip from an active silo of each region to an active silo of every other region.</summary>
    private async Task<IReadOnlyList<RegionLatency>> Latencies(IReadOnlyList<SiloPlace> silos)
    {
        var first = silos.Where(s => s.Status == SiloStatus.Active && s.Region is not null)
            .GroupBy(s => s.Region!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Address).Order().First(), StringComparer.Ordinal);
        var pairs = first.SelectMany(a => first.Where(b => b.Key != a.Key).Select(b => (From: a, To: b))).ToList();
        var measured = await Task.WhenAll(pairs.Select(async p => new RegionLatency
        {
            From = p.From.Key,
            To = p.To.Key,
            Milliseconds = await GrainFactory.GetGrain<ISiloProbeGrain>(p.From.Value.ToParsableString()).MeasureTo(p.To.Value.ToParsableString()),
        }));
        return [.. measured.OrderBy(l => l.From, StringComparer.Ordinal).ThenBy(l => l.To, StringComparer.Ordinal)];
    }

    [LoggerMessage(3200, LogLevel.Information, "Region {Region} registered")]
    private static partial void LogRegistered(ILogger logger, string region);
}

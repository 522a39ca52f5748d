using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace ZinTrust.Workers.Grains;

/// <summary>One silo as the region directory sees it.</summary>
internal sealed record SiloPlace(SiloAddress Address, string? Name, SiloStatus Status, string? Region, string? Zone);

/// <summary>
/// The cluster's silos with their regions, from this silo's membership view and Orleans' silo metadata cache. A silo whose
/// metadata has not reached this silo yet counts as having no region until it does (the cache fetches it on the membership
/// change that announces the silo). The cache drops a silo when it dies; the datacenter grain's record of what each silo
/// declared at start keeps a dead silo in its region in the topology.
/// </summary>
internal sealed class RegionDirectory(IClusterMembershipService membership, ILocalSiloDetails local, SiloLocation location, IServiceProvider services)
{
    private readonly ISiloMetadataCache? metadata = services.GetService<ISiloMetadataCache>();

    public IReadOnlyList<SiloPlace> Silos() =>
        [.. membership.CurrentSnapshot.Members.Values.Select(m => Place(m.SiloAddress, m.Name, m.Status))];

    public string? RegionOf(SiloAddress silo) => Metadata(silo).GetValueOrDefault(SiloLocation.RegionKey);

    /// <summary>Active silos of <paramref name="region"/>.</summary>
    public IEnumerable<SiloAddress> ActiveIn(string region) =>
        Silos().Where(s => s.Status == SiloStatus.Active && s.Region == region).Select(s => s.Address);

    public bool IsHealthy(string region) => ActiveIn(region).Any();

    private SiloPlace Place(SiloAddress address, string? name, SiloStatus status)
    {
        var values = Metadata(address);
        return new SiloPlace(address, name, status, values.GetValueOrDefault(SiloLocation.RegionKey), values.GetValueOrDefault(SiloLocation.ZoneKey));
    }

    private IReadOnlyDictionary<string, string> Metadata(SiloAddress silo) =>
        silo.Equals(local.SiloAddress) ? location.Metadata
        : metadata?.GetSiloMetadata(silo).Metadata ?? (IReadOnlyDictionary<string, string>)new Dictionary<string, string>();
}

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Where this silo runs: its region and zone, published to the cluster as Orleans silo metadata (keys <see cref="RegionKey"/>
/// and <see cref="ZoneKey"/>) so every silo can place a region's replicas, and the topology can show them. Set through
/// <see cref="WorkersBuilder.InRegion"/>; a silo without a region runs only workers that are not placed.
/// </summary>
public sealed class SiloLocation
{
    public const string RegionKey = "zt.region";
    public const string ZoneKey = "zt.zone";

    internal SiloLocation(Dictionary<string, string> metadata) => Metadata = metadata;

    /// <summary>The dictionary handed to Orleans' <c>UseSiloMetadata</c>; filled before the silo starts.</summary>
    internal Dictionary<string, string> Metadata { get; }

    public string? Region => Metadata.GetValueOrDefault(RegionKey);

    public string? Zone => Metadata.GetValueOrDefault(ZoneKey);
}

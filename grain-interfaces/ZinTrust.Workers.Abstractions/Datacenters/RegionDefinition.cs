namespace ZinTrust.Workers.Abstractions;

/// <summary>A datacenter region the cluster knows: registered by an operator, or declared by a silo that runs there.</summary>
[GenerateSerializer, Immutable, Alias("zt.RegionDefinition")]
public sealed record RegionDefinition
{
    /// <summary>The region's id, as silos declare it in SILO_REGION: 2..32 lower-case letters, digits and '-'.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>A display name (1..100 characters); the id when not given.</summary>
    [Id(1)] public string? Name { get; init; }

    [Id(2)] public GeoLocation? Location { get; init; }

    /// <summary>How many replicas the region is meant to carry (0 = not stated). Shown in the topology beside what runs there.</summary>
    [Id(3)] public int Capacity { get; init; }

    /// <summary>False for a region only known because a silo declared it.</summary>
    [Id(4)] public bool Registered { get; init; }

    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Latitude −90..90 and longitude −180..180, in degrees.</summary>
[GenerateSerializer, Immutable, Alias("zt.GeoLocation")]
public sealed record GeoLocation
{
    [Id(0)] public double Lat { get; init; }

    [Id(1)] public double Lon { get; init; }
}

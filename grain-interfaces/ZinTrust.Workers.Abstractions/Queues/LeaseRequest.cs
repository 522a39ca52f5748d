namespace ZinTrust.Workers.Abstractions;

/// <summary>A replica asks its queue for work.</summary>
[GenerateSerializer, Immutable, Alias("zt.LeaseRequest")]
public sealed record LeaseRequest
{
    /// <summary>The replica's key (<see cref="ReplicaKey"/>): the lease's owner.</summary>
    [Id(0)] public required string ReplicaId { get; init; }

    /// <summary>At most this many jobs.</summary>
    [Id(1)] public int Max { get; init; }

    /// <summary>The worker version the replica runs.</summary>
    [Id(2)] public string? Version { get; init; }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>A job and the lease token a replica holds for it.</summary>
[GenerateSerializer, Immutable, Alias("zt.JobLeaseRef")]
public sealed record JobLeaseRef([property: Id(0)] string JobId, [property: Id(1)] long LeaseToken);

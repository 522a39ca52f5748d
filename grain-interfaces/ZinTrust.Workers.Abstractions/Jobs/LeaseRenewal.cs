namespace ZinTrust.Workers.Abstractions;

/// <summary>The queue's answer to a renewal: the leases the replica no longer holds, and how long the others now last.</summary>
/// <param name="Lost">Leases that were not renewed (the job was cancelled, finished, expired or leased again): stop their runs.</param>
/// <param name="LeaseDuration">
/// How long every renewed lease lasts from the moment the queue handled the call. A replica renews again well within it, measured
/// from when it sent the call (its own clock, never the queue's), so a change of the queue's policy or clock skew between silos
/// cannot expire a lease that is renewed in time.
/// </param>
[GenerateSerializer, Immutable, Alias("zt.LeaseRenewal")]
public sealed record LeaseRenewal([property: Id(0)] IReadOnlyList<JobLeaseRef> Lost, [property: Id(1)] TimeSpan LeaseDuration);

namespace ZinTrust.Workers.Abstractions;

/// <summary>The replicas of one worker hosted on one silo when a snapshot was taken (what costs are split by).</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerReplicaShare")]
public sealed record WorkerReplicaShare
{
    [Id(0)] public required string Worker { get; init; }
    [Id(1)] public int Replicas { get; init; }
    [Id(2)] public int InFlight { get; init; }
}

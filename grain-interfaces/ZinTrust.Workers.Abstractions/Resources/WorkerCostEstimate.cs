namespace ZinTrust.Workers.Abstractions;

/// <summary>One worker's share of the compute estimate.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerCostEstimate")]
public sealed record WorkerCostEstimate
{
    [Id(0)] public required string Worker { get; init; }
    [Id(1)] public double CoreHours { get; init; }
    [Id(2)] public double GbHours { get; init; }

    /// <summary>Core-hours and GB-hours priced, after the spot discount when it applies.</summary>
    [Id(3)] public double Compute { get; init; }
}

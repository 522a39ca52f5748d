namespace ZinTrust.Workers.Abstractions;

/// <summary>Estimated costs over a window, from resource snapshots and configured unit prices.</summary>
[GenerateSerializer, Immutable, Alias("zt.CostEstimate")]
public sealed record CostEstimate
{
    [Id(0)] public required string Currency { get; init; }
    [Id(1)] public double WindowHours { get; init; }

    /// <summary>Silo-hours the snapshots in the window stand for (less than silos × window when monitoring was off).</summary>
    [Id(2)] public double SampledSiloHours { get; init; }

    [Id(3)] public double CoreHours { get; init; }
    [Id(4)] public double GbHours { get; init; }

    /// <summary>All compute (core-hours and GB-hours priced, spot discount applied).</summary>
    [Id(5)] public double Compute { get; init; }

    /// <summary>Compute of silo time when no worker replica ran there (not split between workers).</summary>
    [Id(6)] public double Unattributed { get; init; }

    [Id(7)] public double Storage { get; init; }

    /// <summary>Bytes the storage price was charged on; null when the storage backends were not measured.</summary>
    [Id(8)] public long? StorageBytes { get; init; }

    [Id(9)] public double Total { get; init; }
    [Id(10)] public bool SpotInstances { get; init; }
    [Id(11)] public double SpotDiscount { get; init; }
    [Id(12)] public IReadOnlyList<WorkerCostEstimate> Workers { get; init; } = [];
}

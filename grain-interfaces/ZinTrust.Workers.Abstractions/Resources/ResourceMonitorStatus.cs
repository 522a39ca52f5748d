namespace ZinTrust.Workers.Abstractions;

/// <summary>The resource monitor's state: whether it runs, why not, and the latest snapshot of each silo.</summary>
[GenerateSerializer, Immutable, Alias("zt.ResourceMonitorStatus")]
public sealed record ResourceMonitorStatus
{
    [Id(0)] public ResourceMonitorGate Gate { get; init; }

    /// <summary>WORKER_RESOURCE_MONITORING on the silo hosting the monitor.</summary>
    [Id(1)] public bool EnvironmentEnabled { get; init; }

    /// <summary>An operator's stop is in force (persisted; a start clears it).</summary>
    [Id(2)] public bool StoppedByOperator { get; init; }

    /// <summary>Active workers with <c>features.resourceMonitoring: true</c>, by name.</summary>
    [Id(3)] public IReadOnlyList<string> RequestingWorkers { get; init; } = [];

    [Id(4)] public TimeSpan Interval { get; init; }

    /// <summary>The silo the monitor runs on.</summary>
    [Id(5)] public string? Host { get; init; }

    [Id(6)] public DateTimeOffset? LastSnapshotAt { get; init; }

    /// <summary>The newest snapshot of each silo in the history (silos that left keep theirs until it ages out).</summary>
    [Id(7)] public IReadOnlyList<ResourceSnapshot> Latest { get; init; } = [];

    /// <summary>Snapshots kept per silo.</summary>
    [Id(8)] public int HistoryLimit { get; init; }

    /// <summary>When an operator last started or stopped it.</summary>
    [Id(9)] public DateTimeOffset? ChangedAt { get; init; }

    public bool Running => Gate == ResourceMonitorGate.Running;
}

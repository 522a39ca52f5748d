namespace ZinTrust.Workers.Server;

/// <summary>GET /api/resources: whether the monitor runs, why not (reason), and the latest snapshot of each silo.</summary>
public sealed record ResourceStatusResponse(
    bool Ok,
    bool Running,
    string Reason,
    string Detail,
    bool EnvironmentEnabled,
    bool StoppedByOperator,
    IReadOnlyList<string> RequestingWorkers,
    double IntervalSeconds,
    int HistoryLimit,
    string? Host,
    DateTimeOffset? LastSnapshotAt,
    DateTimeOffset? ChangedAt,
    IReadOnlyList<ResourceSnapshotResponse> Silos);

/// <summary>POST /api/resources/start and /stop: the seed's <c>{ok, message}</c> and the status after the change.</summary>
public sealed record ResourceActionResponse(bool Ok, string Message, bool Running, string Reason, string Detail);

public sealed record ResourceHistoryResponse(bool Ok, int Count, IReadOnlyList<ResourceSnapshotResponse> Snapshots);

/// <summary>One silo's snapshot. Disk figures are the silo process's (bytes per second since the silo's previous snapshot); network
/// figures are its network namespace's, loopback left out; both null on a silo's first snapshot and off Linux.</summary>
public sealed record ResourceSnapshotResponse(
    DateTimeOffset At,
    string Silo,
    double CpuPercent,
    double ProcessCpuPercent,
    int ProcessorCount,
    long MemoryUsedBytes,
    long MemoryTotalBytes,
    long MemoryLoadBytes,
    double MemoryPercent,
    long WorkingSetBytes,
    long GcHeapBytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double GcPauseTimePercentage,
    int ThreadPoolThreads,
    long ThreadPoolQueueLength,
    int Activations,
    double PeriodSeconds,
    IReadOnlyList<WorkerShareResponse> Workers,
    double? DiskReadBytesPerSecond,
    double? DiskWriteBytesPerSecond,
    double? NetworkReceiveBytesPerSecond,
    double? NetworkTransmitBytesPerSecond);

public sealed record WorkerShareResponse(string Worker, int Replicas, int InFlight);

/// <summary>GET /api/resources/costs: the estimate over the last 24 h (amounts unrounded), or null (configured: false) without unit prices.</summary>
public sealed record CostsResponse(bool Ok, bool Configured, CostsDetailResponse? Costs);

public sealed record CostsDetailResponse(
    string Currency,
    double WindowHours,
    double SampledSiloHours,
    double CoreHours,
    double GbHours,
    double Compute,
    double Unattributed,
    double Storage,
    long? StorageBytes,
    double Total,
    bool SpotInstances,
    double SpotDiscount,
    IReadOnlyList<WorkerCostResponse> Workers);

public sealed record WorkerCostResponse(string Worker, double CoreHours, double GbHours, double Compute);

/// <summary>The system summary's <c>costs</c>: the seed's compute, storage and total, over <c>windowHours</c>.</summary>
public sealed record CostsSummaryResponse(double Compute, double Storage, double Total, string Currency, double WindowHours);

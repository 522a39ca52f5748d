using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>Explicit mapping of the resource monitor's contracts to HTTP responses.</summary>
public static class ResourcesMapping
{
    /// <summary>Wire name of a gate: running, disabled-by-environment, stopped-by-operator, no-worker-requests-it.</summary>
    public static string Reason(ResourceMonitorGate gate) => gate switch
    {
        ResourceMonitorGate.Running => "running",
        ResourceMonitorGate.DisabledByEnvironment => "disabled-by-environment",
        ResourceMonitorGate.StoppedByOperator => "stopped-by-operator",
        _ => "no-worker-requests-it",
    };

    public static string Detail(ResourceMonitorGate gate) => gate switch
    {
        ResourceMonitorGate.Running => "Snapshots are being taken.",
        ResourceMonitorGate.DisabledByEnvironment => "Blocked by WORKER_RESOURCE_MONITORING=false; resource alerts are disabled.",
        ResourceMonitorGate.StoppedByOperator => "Stopped by an operator (POST /api/resources/start to resume); resource alerts are disabled meanwhile.",
        _ => "No active worker has features.resourceMonitoring: true; resource alerts are disabled.",
    };

    public static ResourceStatusResponse ToResponse(ResourceMonitorStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(
            Ok: true,
            Running: status.Running,
            Reason: Reason(status.Gate),
            Detail: Detail(status.Gate),
            EnvironmentEnabled: status.EnvironmentEnabled,
            StoppedByOperator: status.StoppedByOperator,
            RequestingWorkers: status.RequestingWorkers,
            IntervalSeconds: status.Interval.TotalSeconds,
            HistoryLimit: status.HistoryLimit,
            Host: status.Host,
            LastSnapshotAt: status.LastSnapshotAt,
            ChangedAt: status.ChangedAt,
            Silos: [.. status.Latest.Select(ToResponse)]);
    }

    public static ResourceActionResponse ToAction(ResourceMonitorStatus status, string message)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(true, message, status.Running, Reason(status.Gate), Detail(status.Gate));
    }

    public static ResourceSnapshotResponse ToResponse(ResourceSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(
            s.At,
            s.Silo,
            s.CpuPercent,
            s.ProcessCpuPercent,
            s.ProcessorCount,
            s.MemoryUsedBytes,
            s.MemoryTotalBytes,
            s.MemoryLoadBytes,
            Math.Round(s.MemoryPercent, 2),
            s.WorkingSetBytes,
            s.GcHeapBytes,
            s.Gen0Collections,
            s.Gen1Collections,
            s.Gen2Collections,
            s.GcPauseTimePercentage,
            s.ThreadPoolThreads,
            s.ThreadPoolQueueLength,
            s.Activations,
            s.Period.TotalSeconds,
            [.. s.Workers.Select(w => new WorkerShareResponse(w.Worker, w.Replicas, w.InFlight))],
            s.DiskReadBytesPerSecond,
            s.DiskWriteBytesPerSecond,
            s.NetworkReceiveBytesPerSecond,
            s.NetworkTransmitBytesPerSecond);
    }

    public static CostsDetailResponse ToResponse(CostEstimate c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(
            c.Currency,
            c.WindowHours,
            c.SampledSiloHours,
            c.CoreHours,
            c.GbHours,
            c.Compute,
            c.Unattributed,
            c.Storage,
            c.StorageBytes,
            c.Total,
            c.SpotInstances,
            c.SpotDiscount,
            [.. c.Workers.Select(w => new WorkerCostResponse(w.Worker, w.CoreHours, w.GbHours, w.Compute))]);
    }

    public static CostsSummaryResponse ToSummary(CostEstimate c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Compute, c.Storage, c.Total, c.Currency, c.WindowHours);
    }
}

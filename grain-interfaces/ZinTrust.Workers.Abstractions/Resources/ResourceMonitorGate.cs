namespace ZinTrust.Workers.Abstractions;

/// <summary>Whether the resource monitor runs, and if not, the first rule of the gating table that stops it.</summary>
[GenerateSerializer, Alias("zt.ResourceMonitorGate")]
public enum ResourceMonitorGate
{
    /// <summary>Snapshots are being taken.</summary>
    Running = 0,

    /// <summary>WORKER_RESOURCE_MONITORING=false: blocked whatever the workers or operators ask.</summary>
    DisabledByEnvironment = 1,

    /// <summary>An operator stopped it (POST /api/resources/stop, <c>zin rm stop</c>); a start undoes it.</summary>
    StoppedByOperator = 2,

    /// <summary>No active worker has <c>features.resourceMonitoring: true</c>.</summary>
    NoWorkerRequestsIt = 3,
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>What a replica is told of its worker's health check and of the feature flags it applies itself.</summary>
internal static class ReplicaSpecs
{
    /// <summary>The flags a replica applies (a change restarts the replicas).</summary>
    public static IReadOnlyList<string> Flags { get; } =
        [WorkerFeatures.HealthMonitoring, WorkerFeatures.Observability, WorkerFeatures.Metrics, WorkerFeatures.Plugins];

    /// <summary>
    /// The replica's check: the registered check in force (<paramref name="declared"/>, the version's or the worker's), with its
    /// interval and timeout; none at all when the worker is not health-monitored or runs its declared HTTP or TCP check itself;
    /// otherwise, with nothing declared, the check registered under the worker's name (as before checks could be declared).
    /// </summary>
    public static ReplicaSpec WithChecksAndFlags(this ReplicaSpec spec, WorkerDefinition definition, HealthCheckSpec? declared) => spec with
    {
        HealthCheck = declared is { Kind: HealthCheckKind.Registered } registered ? registered.Name : null,
        HealthCheckOff = !definition.HealthMonitoringEnabled || declared is { RunsOncePerWorker: true },
        HealthCheckInterval = declared?.Interval,
        HealthCheckTimeout = declared is { Kind: HealthCheckKind.Registered } ? declared.Timeout : null,
        TracingOff = !definition.Feature(WorkerFeatures.Observability),
        MetricsOff = !definition.Feature(WorkerFeatures.Metrics),
        PluginsOff = !definition.Feature(WorkerFeatures.Plugins),
    };
}

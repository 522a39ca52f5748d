using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The seed's resource-monitoring gate, plus the operator's start/stop.</summary>
public static class ResourceMonitorPolicy
{
    /// <summary>The worker feature flag that asks for resource monitoring.</summary>
    public const string Feature = "resourceMonitoring";

    /// <summary>
    /// WORKER_RESOURCE_MONITORING=false blocks monitoring whatever else holds. When it allows (the default), an
    /// operator's stop holds it off; otherwise it runs when at least one active worker has
    /// <c>features.resourceMonitoring: true</c>. The first rule that stops it is the reason reported.
    /// </summary>
    public static ResourceMonitorGate Decide(bool environmentEnabled, bool anyWorkerRequestsIt, bool stoppedByOperator) =>
        !environmentEnabled ? ResourceMonitorGate.DisabledByEnvironment
        : stoppedByOperator ? ResourceMonitorGate.StoppedByOperator
        : !anyWorkerRequestsIt ? ResourceMonitorGate.NoWorkerRequestsIt
        : ResourceMonitorGate.Running;

    /// <summary>Whether a worker's definition sets <c>features.resourceMonitoring: true</c>.</summary>
    public static bool Requests(WorkerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Features.TryGetValue(Feature, out var on) && on;
    }

    /// <summary>Whether a registered worker counts for the gate: active (inactive workers never run) and asking.</summary>
    public static bool Requests(WorkerIndexEntry? entry) => entry is { ActiveStatus: true, ResourceMonitoring: true };
}

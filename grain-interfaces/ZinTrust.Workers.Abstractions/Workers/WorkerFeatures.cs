namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The feature flags of a worker definition (the original's eleven and its <c>healthMonitoring</c>): their names, what a flag
/// left out means, and the values that cannot apply here (refused with <see cref="WorkersErrorCodes.FeatureNotSupported"/>).
/// The table of what each does is in docs/configuration.md ("Feature flags").
/// </summary>
public static class WorkerFeatures
{
    /// <summary>Replicas spread over the cluster's silos. Always so: false is refused.</summary>
    public const string Clustering = "clustering";

    /// <summary>The worker's own metric series (run time by worker). False: not recorded; its queues' series remain.</summary>
    public const string Metrics = "metrics";

    /// <summary>The auto-scaler manages the replica count. Off unless true.</summary>
    public const string AutoScaling = "autoScaling";

    /// <summary>The worker's circuit breaker. Off unless true.</summary>
    public const string CircuitBreaker = "circuitBreaker";

    /// <summary>Jobs out of attempts are kept as dead letters. False: they are deleted at once (counted as dropped).</summary>
    public const string DeadLetterQueue = "deadLetterQueue";

    /// <summary>The worker asks for the resource monitor. Off unless true.</summary>
    public const string ResourceMonitoring = "resourceMonitoring";

    /// <summary>The cluster's compliance controls apply to the worker. They always do: false is refused.</summary>
    public const string Compliance = "compliance";

    /// <summary>A trace span per attempt of the worker's jobs. False: none.</summary>
    public const string Observability = "observability";

    /// <summary>Plugin hooks run for the worker's jobs, health checks and lifecycle events. False: none do.</summary>
    public const string Plugins = "plugins";

    /// <summary>Versions, rolling updates and canaries. Always available: false is refused.</summary>
    public const string Versioning = "versioning";

    /// <summary>Placement in a region and failover between regions. False: the worker takes neither.</summary>
    public const string DatacenterOrchestration = "datacenterOrchestration";

    /// <summary>Health checks, monitoring samples, the health score and policy, failure detection. False: none of them.</summary>
    public const string HealthMonitoring = "healthMonitoring";

    /// <summary>Every flag a definition may set (booleans only).</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Clustering, Metrics, AutoScaling, CircuitBreaker, DeadLetterQueue, ResourceMonitoring,
        Compliance, Observability, Plugins, Versioning, DatacenterOrchestration, HealthMonitoring,
    };

    /// <summary>The flags that are off unless set to true; every other known flag is on unless set to false.</summary>
    private static readonly HashSet<string> OffByDefault = new(StringComparer.Ordinal) { AutoScaling, CircuitBreaker, ResourceMonitoring };

    /// <summary>What a flag left out of the definition means.</summary>
    public static bool DefaultOf(string feature) => !OffByDefault.Contains(feature);

    /// <summary>The flag's value in <paramref name="features"/>, or its default.</summary>
    public static bool IsOn(IReadOnlyDictionary<string, bool> features, string feature)
    {
        ArgumentNullException.ThrowIfNull(features);
        return features.TryGetValue(feature, out var on) ? on : DefaultOf(feature);
    }

    /// <summary>Why <paramref name="feature"/> cannot be set to <paramref name="value"/> here, or null when it can.</summary>
    public static string? Refusal(string feature, bool value) => (feature, value) switch
    {
        (Clustering, false) => "clustering cannot be turned off: a worker's replicas are placed over the cluster's silos (set replicas: 1 for a single one).",
        (Compliance, false) => "compliance cannot be turned off for one worker: encryption at rest, the audit log and retention are the cluster's (WORKER_GDPR, WORKER_HIPAA, WORKER_SOC2, WORKER_ENCRYPTION).",
        (Versioning, false) => "versioning cannot be turned off: every worker has a version, recorded on each job it runs; simply register no other version.",
        _ => null,
    };
}

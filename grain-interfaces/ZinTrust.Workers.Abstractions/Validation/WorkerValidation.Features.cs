namespace ZinTrust.Workers.Abstractions;

/// <summary>The rules of a definition's feature flags and declared health check.</summary>
public static partial class WorkerValidation
{
    private static void CheckFeatures(List<ValidationError> errors, IReadOnlyDictionary<string, bool> features)
    {
        foreach (var (key, value) in features)
        {
            if (!WorkerFeatures.Known.Contains(key))
            {
                errors.Add(new(WorkersErrorCodes.InvalidFeatureFlag, "features", $"Unknown feature flag '{Truncate(key)}'. Known: {string.Join(", ", WorkerFeatures.Known)}."));
            }
            else if (WorkerFeatures.Refusal(key, value) is { } refusal)
            {
                errors.Add(new(WorkersErrorCodes.FeatureNotSupported, $"features.{key}", refusal));
            }
        }
    }

    private static void CheckHealthCheck(List<ValidationError> errors, HealthCheckSpec? check) =>
        CheckProblems(errors, check?.Problems(), WorkersErrorCodes.InvalidHealthCheck, "healthCheck", "Health check");

    /// <summary>A definition that turns datacenter orchestration off cannot carry a placement or a failover policy.</summary>
    private static void CheckDatacenterFeature(List<ValidationError> errors, WorkerDefinition definition)
    {
        if (!definition.Feature(WorkerFeatures.DatacenterOrchestration) && (definition.Placement is not null || definition.Failover is not null))
        {
            errors.Add(new(WorkersErrorCodes.FeatureNotSupported, "features.datacenterOrchestration",
                "datacenterOrchestration is false: the worker can have no placement or failover policy (leave the datacenter block out, or the flag)."));
        }
    }
}

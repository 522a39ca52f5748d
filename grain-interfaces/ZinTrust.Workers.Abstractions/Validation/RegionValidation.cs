namespace ZinTrust.Workers.Abstractions;

/// <summary>Checks of regions, placements and failover policies: every problem, each with its stable code and field.</summary>
public static class RegionValidation
{
    public const int MaxAffinityRules = 20;

    public static IReadOnlyList<ValidationError> Validate(RegionDefinition region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var errors = new List<ValidationError>();
        if (!WorkerValidation.IsValidRegion(region.Id))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "id", "Region id must be 2..32 lower-case letters, digits and '-' (for example us-west)."));
        }

        if (region.Name is not null && (region.Name.Trim().Length is 0 or > 100 || region.Name.Any(char.IsControl)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "name", "Region name must be 1..100 printable characters."));
        }

        if (region.Location is { } at && (!(at.Lat is >= -90 and <= 90) || !(at.Lon is >= -180 and <= 180)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "location", "location.lat must be within -90..90 and location.lon within -180..180."));
        }

        if (region.Capacity is < 0 or > 1_000_000)
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "capacity", "capacity must be 0..1000000 replicas."));
        }

        return errors;
    }

    public static IReadOnlyList<ValidationError> Validate(WorkerPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        var errors = new List<ValidationError>();
        if (!WorkerValidation.IsValidRegion(placement.Region))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "region", "region must be 2..32 lower-case letters, digits and '-' (for example us-west)."));
        }

        if (!WorkerPlacement.Priorities.Contains(placement.Priority))
        {
            errors.Add(new(WorkersErrorCodes.InvalidPlacement, "priority", "priority must be low, normal, high or critical."));
        }

        if (placement.AffinityRules is null || placement.AffinityRules.Count > MaxAffinityRules
            || placement.AffinityRules.Any(r => string.IsNullOrWhiteSpace(r) || r.Length > 100 || r.Any(char.IsControl)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidPlacement, "affinityRules", $"affinityRules must be at most {MaxAffinityRules} labels of 1..100 printable characters."));
        }

        return errors;
    }

    public static IReadOnlyList<ValidationError> Validate(FailoverPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<ValidationError>();
        if (!WorkerValidation.IsValidRegion(policy.PrimaryRegion))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "primaryRegion", "primaryRegion must be 2..32 lower-case letters, digits and '-'."));
        }

        if (!WorkerValidation.IsValidRegion(policy.SecondaryRegion))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "secondaryRegion", "secondaryRegion must be 2..32 lower-case letters, digits and '-'."));
        }
        else if (policy.SecondaryRegion == policy.PrimaryRegion)
        {
            errors.Add(new(WorkersErrorCodes.InvalidFailoverPolicy, "secondaryRegion", "secondaryRegion must differ from primaryRegion."));
        }

        if (policy.HealthCheckInterval < TimeSpan.FromSeconds(1) || policy.HealthCheckInterval > TimeSpan.FromHours(1))
        {
            errors.Add(new(WorkersErrorCodes.InvalidFailoverPolicy, "healthCheckInterval", "healthCheckInterval must be between 1000 and 3600000 milliseconds."));
        }

        if (policy.FailbackHold < TimeSpan.Zero || policy.FailbackHold > TimeSpan.FromHours(24))
        {
            errors.Add(new(WorkersErrorCodes.InvalidFailoverPolicy, "failbackHold", "failbackHold must be between 0 and 86400000 milliseconds."));
        }

        return errors;
    }
}

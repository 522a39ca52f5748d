using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid resource-monitor setting, naming the environment variable that sets it.</summary>
public sealed class ResourceMonitorOptionsValidator : IValidateOptions<ResourceMonitorOptions>
{
    public const int MaxHistoryLimit = 100_000;

    public ValidateOptionsResult Validate(string? name, ResourceMonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromHours(1))
        {
            failures.Add("WORKER_RESOURCE_MONITORING_INTERVAL must be between 1 and 3600 seconds.");
        }

        if (options.ReminderPeriod <= TimeSpan.Zero)
        {
            failures.Add("Workers:Resources:ReminderPeriod must be positive.");
        }

        if (options.HistoryLimit is < 1 or > MaxHistoryLimit)
        {
            failures.Add($"Workers:Resources:HistoryLimit must be between 1 and {MaxHistoryLimit} (was {options.HistoryLimit}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

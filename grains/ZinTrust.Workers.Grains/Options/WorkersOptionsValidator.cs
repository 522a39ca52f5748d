using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid setting, naming the environment variable that sets it.</summary>
public sealed class WorkersOptionsValidator : IValidateOptions<WorkersOptions>
{
    public static readonly IReadOnlySet<string> Drivers = new HashSet<string>(StringComparer.Ordinal) { "memory", "redis", "db" };

    public ValidateOptionsResult Validate(string? name, WorkersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.DefaultConcurrency is < 1 or > Abstractions.WorkerValidation.MaxConcurrency)
        {
            failures.Add($"WORKER_CONCURRENCY must be between 1 and {Abstractions.WorkerValidation.MaxConcurrency} (was {options.DefaultConcurrency}).");
        }

        if (options.DefaultTimeout <= TimeSpan.Zero || options.DefaultTimeout > TimeSpan.FromDays(1))
        {
            failures.Add("WORKER_TIMEOUT must be between 1 and 86400 seconds.");
        }

        if (options.DefaultAttempts is < 1 or > Abstractions.WorkerValidation.MaxAttempts)
        {
            failures.Add($"WORKER_RETRIES must be between 1 and {Abstractions.WorkerValidation.MaxAttempts} (was {options.DefaultAttempts}).");
        }

        if (options.DefaultPriority is < Abstractions.JobPriority.Min or > Abstractions.JobPriority.Max)
        {
            failures.Add($"WORKER_PRIORITY must be between {Abstractions.JobPriority.Min} and {Abstractions.JobPriority.Max} (was {options.DefaultPriority}).");
        }

        if (options.ConnectionTimeout < TimeSpan.FromMilliseconds(100) || options.ConnectionTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("WORKER_CONNECTION_TIMEOUT must be between 100 and 600000 milliseconds.");
        }

        if (options.HealthCheckInterval < TimeSpan.FromSeconds(1) || options.HealthCheckInterval > TimeSpan.FromDays(1))
        {
            failures.Add("WORKER_HEALTH_CHECK_INTERVAL must be between 1 and 86400 seconds.");
        }

        if (options.MetricsInterval < TimeSpan.FromSeconds(1) || options.MetricsInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Workers:MetricsInterval must be between 1 second and 1 hour (was {options.MetricsInterval}).");
        }

        if (options.MetricsWriteInterval < TimeSpan.Zero || options.MetricsWriteInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Workers:MetricsWriteInterval must be between 0 and 1 hour (was {options.MetricsWriteInterval}).");
        }

        if (!Drivers.Contains(options.PersistenceDriver))
        {
            failures.Add($"WORKER_PERSISTENCE_DRIVER must be one of memory, redis, db (was '{options.PersistenceDriver}').");
        }

        if (options.StoreWriteMaxJobs is < 1 or > 100_000)
        {
            failures.Add($"Workers:StoreWriteMaxJobs must be between 1 and 100000 (was {options.StoreWriteMaxJobs}).");
        }

        if (options.StoreWriteMaxBytes is < 1024 or > 256 * 1024 * 1024)
        {
            failures.Add($"Workers:StoreWriteMaxBytes must be between 1024 and 268435456 (was {options.StoreWriteMaxBytes}).");
        }

        if (options.EventFeedWindow is < 100 or > 1_000_000)
        {
            failures.Add($"Workers:EventFeedWindow must be between 100 and 1000000 (was {options.EventFeedWindow}).");
        }

        if (options.EventFeedHold < TimeSpan.Zero || options.EventFeedHold > TimeSpan.FromDays(1))
        {
            failures.Add($"Workers:EventFeedHold must be between 0 and 1 day (was {options.EventFeedHold}).");
        }

        if (!Abstractions.WorkerValidation.IsValidRegion(options.DefaultRegion))
        {
            failures.Add($"WORKER_REGION must be 2..32 lower-case letters, digits and '-' (was '{options.DefaultRegion}').");
        }

        if (options.AutoScalingInterval < TimeSpan.FromSeconds(1) || options.AutoScalingInterval > TimeSpan.FromDays(1))
        {
            failures.Add("WORKER_AUTO_SCALING_INTERVAL must be between 1 and 86400 seconds.");
        }

        if (!ScalingRules.TryParseWindow(options.OffPeakSchedule, out _, out _))
        {
            failures.Add($"WORKER_OFF_PEAK_SCHEDULE must be HH:MM-HH:MM with two different times (was '{options.OffPeakSchedule}').");
        }

        if (options.OffPeakReduction is < 0 or > 1 || double.IsNaN(options.OffPeakReduction))
        {
            failures.Add("WORKER_OFF_PEAK_REDUCTION must be between 0 and 1.");
        }

        if (options.AutoScalingCpuCeiling is <= 0 or > 100 || double.IsNaN(options.AutoScalingCpuCeiling))
        {
            failures.Add("WORKER_AUTO_SCALING_CPU_CEILING must be above 0 and at most 100.");
        }

        Positive(failures, options.AutoScalingReminderPeriod, "Workers:AutoScalingReminderPeriod");
        Positive(failures, options.SupervisionInterval, "Workers:SupervisionInterval");
        Positive(failures, options.SupervisionReminderPeriod, "Workers:SupervisionReminderPeriod");
        Positive(failures, options.IdlePollInterval, "Workers:IdlePollInterval");
        Positive(failures, options.TimeoutGrace, "Workers:TimeoutGrace");
        if (options.ShutdownDrainTimeout < TimeSpan.Zero)
        {
            failures.Add("Workers:ShutdownDrainTimeout must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, TimeSpan value, string setting)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{setting} must be positive.");
        }
    }
}

using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid audit log setting, naming the environment variable or option that sets it.</summary>
public sealed class AuditLogOptionsValidator : IValidateOptions<AuditLogOptions>
{
    public const int MaxRetentionDays = 36_500;

    public ValidateOptionsResult Validate(string? name, AuditLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.RetentionDays is < 0 or > MaxRetentionDays)
        {
            failures.Add($"WORKER_AUDIT_RETENTION_DAYS must be 0 (keep every record) to {MaxRetentionDays} days (was {options.RetentionDays}).");
        }

        if (options.MaxBatch is < 1 or > 10_000)
        {
            failures.Add($"{AuditLogOptions.SectionName}:MaxBatch must be 1 to 10000 (was {options.MaxBatch}).");
        }

        if (options.AppendTimeout <= TimeSpan.Zero || options.AppendTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{AuditLogOptions.SectionName}:AppendTimeout must be above 0 and at most 5 minutes (was {options.AppendTimeout}).");
        }

        if (options.TrimInterval < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{AuditLogOptions.SectionName}:TrimInterval must be at least 1 minute (was {options.TrimInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

internal sealed class ComplianceOptionsValidator : IValidateOptions<ComplianceOptions>
{
    public ValidateOptionsResult Validate(string? name, ComplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.DataRetention is { } retention && (retention < TimeSpan.FromHours(1) || retention > TimeSpan.FromDays(36_500)))
        {
            failures.Add("WORKER_DATA_RETENTION (Workers:Compliance:DataRetention) must be 1 hour to 100 years; 0 days turns retention off.");
        }

        if (options.SweepInterval < TimeSpan.FromMinutes(1) || options.SweepInterval > TimeSpan.FromDays(1))
        {
            failures.Add("Workers:Compliance:SweepInterval must be 1 minute to 1 day.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}

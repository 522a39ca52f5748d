using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Client;

/// <summary>Reports every invalid client setting, naming it.</summary>
public sealed class WorkersClientOptionsValidator : IValidateOptions<WorkersClientOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkersClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.GatewayPort is < 1 or > 65535)
        {
            failures.Add($"WorkersClientOptions.GatewayPort must be between 1 and 65535 (was {options.GatewayPort}).");
        }

        Required(failures, options.ServiceId, nameof(options.ServiceId));
        Required(failures, options.ClusterId, nameof(options.ClusterId));

        if (options.EnqueueRetry is not { } retry)
        {
            failures.Add("WorkersClientOptions.EnqueueRetry is required.");
        }
        else
        {
            if (retry.MaxAttempts is < 1 or > 100)
            {
                failures.Add($"WorkersClientOptions.EnqueueRetry.MaxAttempts must be between 1 and 100 (was {retry.MaxAttempts}).");
            }

            Between(failures, retry.BaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), "EnqueueRetry.BaseDelay");
            Between(failures, retry.MaxDelay, retry.BaseDelay, TimeSpan.FromMinutes(5), "EnqueueRetry.MaxDelay");
            Between(failures, retry.Budget, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), "EnqueueRetry.Budget");
        }

        if (options.EnqueueCoalescing is not { } coalescing)
        {
            failures.Add("WorkersClientOptions.EnqueueCoalescing is required.");
        }
        else
        {
            if (coalescing.MaxJobsPerCall is < 1 or > 10_000)
            {
                failures.Add($"WorkersClientOptions.EnqueueCoalescing.MaxJobsPerCall must be between 1 and 10000 (was {coalescing.MaxJobsPerCall}).");
            }

            if (coalescing.MaxCallsInFlight is < 1 or > 64)
            {
                failures.Add($"WorkersClientOptions.EnqueueCoalescing.MaxCallsInFlight must be between 1 and 64 (was {coalescing.MaxCallsInFlight}).");
            }
        }

        if (options.ResultWait is not { } wait)
        {
            failures.Add("WorkersClientOptions.ResultWait is required.");
        }
        else
        {
            Between(failures, wait.PushSafetyPollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), "ResultWait.PushSafetyPollInterval");
            Between(failures, wait.PollInitialDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), "ResultWait.PollInitialDelay");
            Between(failures, wait.PollMaxDelay, wait.PollInitialDelay, TimeSpan.FromMinutes(5), "ResultWait.PollMaxDelay");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Required(List<string> failures, string? value, string setting)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"WorkersClientOptions.{setting} is required.");
        }
    }

    private static void Between(List<string> failures, TimeSpan value, TimeSpan min, TimeSpan max, string setting)
    {
        if (value < min || value > max)
        {
            failures.Add($"WorkersClientOptions.{setting} must be between {min} and {max} (was {value}).");
        }
    }
}

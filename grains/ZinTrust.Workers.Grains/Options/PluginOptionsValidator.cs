using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid plugin setting, naming it.</summary>
public sealed class PluginOptionsValidator : IValidateOptions<PluginOptions>
{
    public ValidateOptionsResult Validate(string? name, PluginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.HookTimeout <= TimeSpan.Zero || options.HookTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{PluginOptions.SectionName}:HookTimeout must be more than 0 and at most 10 minutes (was {options.HookTimeout}).");
        }

        if (options.RefreshInterval < TimeSpan.FromMilliseconds(100) || options.RefreshInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{PluginOptions.SectionName}:RefreshInterval must be between 100 ms and 1 hour (was {options.RefreshInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

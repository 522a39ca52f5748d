using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid processor-spec setting, naming the environment variable that sets it.</summary>
public sealed class ProcessorSpecOptionsValidator : IValidateOptions<ProcessorSpecOptions>
{
    public const int MaxFetchSize = 256 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, ProcessorSpecOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Root is { } root && (!Path.IsPathFullyQualified(root) || !Directory.Exists(root)))
        {
            failures.Add($"WORKER_PROCESSOR_ROOT must be the absolute path of an existing folder (was '{Shorten(root)}').");
        }

        foreach (var host in options.AllowedHosts ?? [])
        {
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                failures.Add($"REMOTE_PROCESSOR_ALLOWLIST: '{Shorten(host)}' is not a host name (give names such as processors.example.com, comma-separated).");
            }
        }

        if (options.FetchMaxSize is < 1 or > MaxFetchSize)
        {
            failures.Add($"PROCESSOR_FETCH_MAX_SIZE must be 1..{MaxFetchSize} bytes (was {options.FetchMaxSize}).");
        }

        if (options.FetchTimeout < TimeSpan.FromMilliseconds(100) || options.FetchTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"PROCESSOR_FETCH_TIMEOUT must be 100..600000 ms (was {options.FetchTimeout.TotalMilliseconds:0}).");
        }

        if (options.FetchRetryAttempts is < 0 or > 10)
        {
            failures.Add($"PROCESSOR_FETCH_RETRY_ATTEMPTS must be 0..10 (was {options.FetchRetryAttempts}).");
        }

        if (options.FetchRetryBackoff < TimeSpan.Zero || options.FetchRetryBackoff > TimeSpan.FromMinutes(1))
        {
            failures.Add($"PROCESSOR_FETCH_RETRY_BACKOFF_MS must be 0..60000 ms (was {options.FetchRetryBackoff.TotalMilliseconds:0}).");
        }

        if (options.CacheMaxTtl < TimeSpan.FromSeconds(1) || options.CacheMaxTtl > TimeSpan.FromDays(30))
        {
            failures.Add($"PROCESSOR_CACHE_MAX_TTL must be 1..2592000 seconds (was {options.CacheMaxTtl.TotalSeconds:0}).");
        }

        if (options.CacheDefaultTtl < TimeSpan.FromSeconds(1) || options.CacheDefaultTtl > options.CacheMaxTtl)
        {
            failures.Add($"PROCESSOR_CACHE_DEFAULT_TTL must be at least 1 second and at most PROCESSOR_CACHE_MAX_TTL (was {options.CacheDefaultTtl.TotalSeconds:0}).");
        }

        if (options.CacheMaxSize is < 0 or > 4L * 1024 * 1024 * 1024)
        {
            failures.Add($"PROCESSOR_CACHE_MAX_SIZE must be 0..4294967296 bytes (was {options.CacheMaxSize}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";
}

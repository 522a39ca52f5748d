namespace ZinTrust.Workers.Grains;

/// <summary>
/// Where processor specs may come from and how their assemblies are fetched and kept. With the defaults no spec loads:
/// path specs need <see cref="Root"/>, address specs a host on <see cref="AllowedHosts"/>.
/// </summary>
public sealed class ProcessorSpecOptions
{
    public const string SectionName = "Workers:ProcessorSpecs";

    /// <summary>WORKER_PROCESSOR_ROOT: the folder path specs are read from (absolute); a path that leaves it, directly or
    /// through a symbolic link, is refused. Default: unset (path specs refused).</summary>
    public string? Root { get; set; }

    /// <summary>REMOTE_PROCESSOR_ALLOWLIST (comma-separated): the host names address specs may name, compared exactly (case-
    /// insensitive, no wildcards). Default: empty (address specs refused); the original allowed wk.zintrust.com, a host we do
    /// not run and that serves no .NET assemblies.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>PROCESSOR_FETCH_MAX_SIZE: the largest assembly fetched, in bytes (a longer body is cut off and refused).
    /// Default: 4 MiB (the original's 512 KiB was sized for a script; an assembly is larger).</summary>
    public int FetchMaxSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>PROCESSOR_FETCH_TIMEOUT (ms): one fetch attempt's limit, connection to last byte. Default: 30 s (the original's).</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PROCESSOR_FETCH_RETRY_ATTEMPTS: tries after the first when a fetch fails in a way that may pass (a network error,
    /// a timeout, a 5xx, 408, 429). Refusals are never retried. Default: 3 (the original's).</summary>
    public int FetchRetryAttempts { get; set; } = 3;

    /// <summary>PROCESSOR_FETCH_RETRY_BACKOFF_MS: the wait before the first retry, doubled before each next one. Default: 1 s (the original's).</summary>
    public TimeSpan FetchRetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>PROCESSOR_CACHE_DEFAULT_TTL (s): how long fetched bytes are kept when the response names no max-age. Default: 1 h (the original's).</summary>
    public TimeSpan CacheDefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>PROCESSOR_CACHE_MAX_TTL (s): the longest a response's max-age may keep bytes. Default: 7 days (the original's).</summary>
    public TimeSpan CacheMaxTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>PROCESSOR_CACHE_MAX_SIZE: bytes the fetch cache holds in memory (oldest entries go first); 0 disables it.
    /// Default: 50 MiB (the original's).</summary>
    public long CacheMaxSize { get; set; } = 50L * 1024 * 1024;
}

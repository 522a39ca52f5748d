namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A health check declared in a worker's definition (the original's <c>healthCheck</c>): a registered check by name, or one of
/// the built-in kinds (an HTTP URL, a TCP host and port), with its timeout, how often it runs and how many failures in a row
/// mark the worker failed. Declaring one turns on failure detection for the worker (docs/operations.md, "Failure detection").
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.HealthCheckSpec")]
public sealed record HealthCheckSpec
{
    public const int DefaultFailureThreshold = 2;
    public const int MaxFailureThreshold = 100;
    public const int MaxUrlLength = 2048;
    public const int MaxHostLength = 253;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    [Id(0)] public HealthCheckKind Kind { get; init; }

    /// <summary><see cref="HealthCheckKind.Registered"/>: the registered check's name (letters, digits, _ . : -; at most 100).</summary>
    [Id(1)] public string? Name { get; init; }

    /// <summary><see cref="HealthCheckKind.Http"/>: an absolute http or https URL without user information.</summary>
    [Id(2)] public string? Url { get; init; }

    /// <summary><see cref="HealthCheckKind.Http"/>: the status that means healthy (100..599); null: any 2xx.</summary>
    [Id(3)] public int? ExpectStatus { get; init; }

    /// <summary><see cref="HealthCheckKind.Tcp"/>: a host name or IP address.</summary>
    [Id(4)] public string? Host { get; init; }

    /// <summary><see cref="HealthCheckKind.Tcp"/>: the port (1..65535).</summary>
    [Id(5)] public int Port { get; init; }

    /// <summary>How long one run may take (100 ms..60 s); longer counts as a failure. Default 5 s.</summary>
    [Id(6)] public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>How often the check runs (1 s..1 day); null: WORKER_HEALTH_CHECK_INTERVAL.</summary>
    [Id(7)] public TimeSpan? Interval { get; init; }

    /// <summary>Failures in a row that mark the worker failed (1..100). Default 2 (the original's).</summary>
    [Id(8)] public int FailureThreshold { get; init; } = DefaultFailureThreshold;

    /// <summary>A registered check by name with the defaults (the original's string form).</summary>
    public static HealthCheckSpec Registered(string name) => new() { Kind = HealthCheckKind.Registered, Name = name };

    /// <summary>Whether the worker runs it itself, once per interval (HTTP and TCP), rather than each replica (registered).</summary>
    public bool RunsOncePerWorker => Kind is HealthCheckKind.Http or HealthCheckKind.Tcp;

    /// <summary>Every problem, as "field: reason" without the field's value (the value may be long or odd).</summary>
    public IEnumerable<string> Problems()
    {
        switch (Kind)
        {
            case HealthCheckKind.Registered:
                if (!WorkerValidation.IsValidCheckName(Name))
                {
                    yield return "name must be a registered health check's name (letters, digits, _ . : -; at most 100)";
                }

                if (Url is not null || Host is not null || Port != 0 || ExpectStatus is not null)
                {
                    yield return "a registered check takes a name only (no url, host, port or expectStatus)";
                }

                break;
            case HealthCheckKind.Http:
                if (UrlProblem(Url) is { } urlProblem)
                {
                    yield return urlProblem;
                }

                if (ExpectStatus is < 100 or > 599)
                {
                    yield return "expectStatus must be an HTTP status (100..599)";
                }

                if (Name is not null || Host is not null || Port != 0)
                {
                    yield return "an http check takes a url (no name, host or port)";
                }

                break;
            case HealthCheckKind.Tcp:
                if (Host is null || Host.Length > MaxHostLength || Uri.CheckHostName(Host) == UriHostNameType.Unknown)
                {
                    yield return "host must be a host name or an IP address";
                }

                if (Port is < 1 or > 65535)
                {
                    yield return "port must be 1..65535";
                }

                if (Name is not null || Url is not null || ExpectStatus is not null)
                {
                    yield return "a tcp check takes a host and a port (no name, url or expectStatus)";
                }

                break;
            default:
                yield return "kind must be registered, http or tcp";
                break;
        }

        if (Timeout < MinTimeout || Timeout > MaxTimeout)
        {
            yield return "timeoutMs must be 100..60000";
        }

        if (Interval is { } interval && (interval < MinInterval || interval > MaxInterval))
        {
            yield return "intervalMs must be 1000..86400000";
        }

        if (FailureThreshold is < 1 or > MaxFailureThreshold)
        {
            yield return $"failureThreshold must be 1..{MaxFailureThreshold}";
        }
    }

    /// <summary>The URL without its query and fragment (which may carry tokens): what logs and health messages show.</summary>
    public static string Shown(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.GetLeftPart(UriPartial.Path);
    }

    private static string? UrlProblem(string? url)
    {
        // A path alone parses as an absolute file URI on some systems: the scheme test catches it the same everywhere.
        if (url is null || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            return $"url must be an absolute http or https URL of at most {MaxUrlLength} characters";
        }

        if (parsed.UserInfo.Length > 0)
        {
            return "url must not carry user information (it is shown to every viewer of the worker)";
        }

        return string.IsNullOrEmpty(parsed.Host) ? "url must name a host" : null;
    }
}

namespace ZinTrust.Workers.Cli;

/// <summary>
/// Where the worker service's REST API is (<see cref="BaseUrl"/>: scheme, host, port and any path prefix, without a
/// trailing slash), the key to show it (sent as <c>X-Api-Key</c>, never printed), and how long to wait for an answer.
/// </summary>
internal sealed record ApiEndpoint(string BaseUrl, string? ApiKey, TimeSpan Timeout)
{
    public const string ApiKeyHeader = "X-Api-Key";

    public Uri Url(string pathAndQuery) => new(BaseUrl + pathAndQuery);

    /// <summary>Leaves the key out of logs, exceptions and debugger views.</summary>
    public override string ToString() => $"{BaseUrl} (timeout {Timeout.TotalSeconds} s{(ApiKey is null ? "" : ", with an API key")})";
}

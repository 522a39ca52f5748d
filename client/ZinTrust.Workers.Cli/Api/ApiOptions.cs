using System.CommandLine;
using System.Globalization;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// The options every REST command takes: <c>--host</c>, <c>--port</c>, <c>--url</c>, <c>--api-key</c>,
/// <c>--timeout</c>. What is given on the command line wins over the environment (ZIN_API_URL, ZIN_API_HOST,
/// ZIN_API_PORT, ZIN_API_KEY); a URL, from either, replaces host and port.
/// </summary>
internal sealed class ApiOptions
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 7777;
    public const int DefaultTimeoutSeconds = 30;

    public Option<string?> Host { get; } = new("--host") { Description = $"Worker service host (default {DefaultHost}; env ZIN_API_HOST)" };

    public Option<int?> Port { get; } = new("--port") { Description = $"Worker service port (default {DefaultPort}; env ZIN_API_PORT)" };

    public Option<string?> Url { get; } = new("--url") { Description = "Worker service base URL, instead of --host and --port (env ZIN_API_URL)" };

    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key, sent as the X-Api-Key header (env ZIN_API_KEY); never printed" };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the service to answer",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(Url);
        command.Options.Add(ApiKey);
        command.Options.Add(Timeout);
    }

    /// <summary>The endpoint, or a message naming the option or variable that is wrong.</summary>
    public ApiEndpoint? Resolve(ParseResult parseResult, Func<string, string?> environment, out string? problem)
    {
        problem = null;
        int timeout = parseResult.GetValue(Timeout);
        if (timeout is < 1 or > 3600)
        {
            problem = "--timeout must be 1 to 3600 seconds.";
            return null;
        }

        var apiKey = parseResult.GetValue(ApiKey) ?? Env(environment, "ZIN_API_KEY");
        if (apiKey is not null && apiKey.Any(c => c < 0x21 || c > 0x7E))
        {
            problem = "--api-key / ZIN_API_KEY may hold only printable ASCII without spaces (it travels in an HTTP header).";
            return null;
        }

        bool hostOrPortGiven = Given(parseResult, Host) || Given(parseResult, Port);
        var url = parseResult.GetValue(Url) ?? (hostOrPortGiven ? null : Env(environment, "ZIN_API_URL"));
        string baseUrl;
        if (url is not null)
        {
            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Query.Length > 0)
            {
                problem = $"--url / ZIN_API_URL: '{url}' is not an http(s) URL such as http://127.0.0.1:7777.";
                return null;
            }

            baseUrl = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        }
        else
        {
            var host = parseResult.GetValue(Host) ?? Env(environment, "ZIN_API_HOST") ?? DefaultHost;
            int port = DefaultPort;
            if (parseResult.GetValue(Port) is { } given)
            {
                port = given;
            }
            else if (Env(environment, "ZIN_API_PORT") is { } text && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                port = -1;
            }

            if (port is < 1 or > 65535)
            {
                problem = "--port / ZIN_API_PORT must be a port number from 1 to 65535.";
                return null;
            }

            if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
            {
                host = $"[{host}]"; // an IPv6 address
            }

            if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
            {
                problem = $"--host / ZIN_API_HOST: '{host}' is not a host name or address.";
                return null;
            }

            baseUrl = string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}");
        }

        return new ApiEndpoint(baseUrl, apiKey, TimeSpan.FromSeconds(timeout));
    }

    private static bool Given(ParseResult parseResult, Option option) => parseResult.GetResult(option) is { Implicit: false };

    private static string? Env(Func<string, string?> environment, string name) =>
        environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

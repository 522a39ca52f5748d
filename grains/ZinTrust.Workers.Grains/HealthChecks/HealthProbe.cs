using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Runs the built-in health checks a worker declares (<see cref="HealthCheckKind.Http"/>, <see cref="HealthCheckKind.Tcp"/>) and
/// turns every way they can go wrong into an unhealthy outcome with a message fit for an operator: a timeout, a refused or failed
/// connection, an unexpected status, a redirect to another host. HTTP goes through the named client <see cref="HttpClientName"/>
/// of <see cref="IHttpClientFactory"/> (no proxy, no cookies, no automatic redirects, no decompression); at most
/// <see cref="MaxBodyBytes"/> of a body are read and none of it is kept. Both kinds connect through the outbound guard
/// (<see cref="GuardedHttp"/>) with the health checks' own address policy (<see cref="HealthCheckSeams"/>): the host is resolved
/// once, refused when an address is link-local or unusable, and only the addresses checked are connected to.
/// </summary>
internal sealed partial class HealthProbe(IHttpClientFactory clients, ILogger<HealthProbe> logger)
{
    public const string HttpClientName = "ZinTrust.Workers.HealthChecks";

    /// <summary>Redirects followed, each to the same host and port (never from https to http).</summary>
    public const int MaxRedirects = 3;

    /// <summary>The most of a body read (and dropped) before the connection is let go.</summary>
    public const int MaxBodyBytes = 4096;

    public async Task<HealthCheckOutcome> RunAsync(HealthCheckSpec check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(check.Timeout);
        try
        {
            return check.Kind switch
            {
                HealthCheckKind.Http => await HttpAsync(check, timeout.Token),
                HealthCheckKind.Tcp => await TcpAsync(check, timeout.Token),
                _ => throw new ArgumentException($"A {check.Kind} check is run by the replicas, not by the worker.", nameof(check)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unhealthy($"no answer within {check.Timeout.TotalMilliseconds:0} ms");
        }
        catch (OutboundAddressRefusedException refused)
        {
            return Refused(refused);
        }
        catch (HttpRequestException ex) when (GuardedHttp.RefusalIn(ex) is { } refused)
        {
            return Refused(refused);
        }
        catch (HttpRequestException ex)
        {
            return Unhealthy($"the request failed ({Describe(ex)})");
        }
        catch (SocketException ex)
        {
            return Unhealthy($"could not connect ({ex.SocketErrorCode})");
        }
        catch (IOException)
        {
            return Unhealthy("the connection failed while reading the answer");
        }
    }

    /// <summary>The handler of the named client: its connections go through the outbound guard with the health checks' policy;
    /// redirects are followed here, to the same host only.</summary>
    internal static SocketsHttpHandler CreateHandler() =>
        GuardedHttp.CreateHandler(HealthCheckSeams.Default, static (context, token) => GuardedHttp.ConnectAsync(HealthCheckSeams.Default, context, token));

    private async Task<HealthCheckOutcome> HttpAsync(HealthCheckSpec check, CancellationToken cancellationToken)
    {
        var url = new Uri(check.Url!);
        var client = clients.CreateClient(HttpClientName);
        for (int redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.UserAgent.ParseAdd("ZinTrust-Workers-HealthCheck/1.0");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && status != check.ExpectStatus && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (redirects >= MaxRedirects)
                {
                    return Unhealthy($"more than {MaxRedirects} redirects from {HealthCheckSpec.Shown(new Uri(check.Url!))}");
                }

                if (!string.Equals(next.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) || next.Port != url.Port && next.Scheme == url.Scheme)
                {
                    return Unhealthy($"HTTP {status} redirects to another host ({HealthCheckSpec.Shown(next)}); health checks follow redirects on the same host only");
                }

                if (url.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
                {
                    return Unhealthy($"HTTP {status} redirects from https to {next.Scheme}; not followed");
                }

                url = next;
                continue;
            }

            await DrainAsync(response, cancellationToken);
            bool healthy = check.ExpectStatus is { } expected ? status == expected : status is >= 200 and < 300;
            return healthy
                ? new HealthCheckOutcome(true, $"HTTP {status}")
                : Unhealthy($"HTTP {status} from {HealthCheckSpec.Shown(url)} (expected {(check.ExpectStatus is { } e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "2xx")})");
        }
    }

    private static async Task<HealthCheckOutcome> TcpAsync(HealthCheckSpec check, CancellationToken cancellationToken)
    {
        using var socket = await GuardedHttp.ConnectSocketAsync(HealthCheckSeams.Default, check.Host!, check.Port, cancellationToken);
        return new HealthCheckOutcome(true, $"connected to {check.Host}:{check.Port}");
    }

    /// <summary>Reads (and drops) at most <see cref="MaxBodyBytes"/> of the body; what is left is never read.</summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[1024];
        int total = 0, read;
        while (total < MaxBodyBytes && (read = await body.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, MaxBodyBytes - total)), cancellationToken)) > 0)
        {
            total += read;
        }
    }

    private static HealthCheckOutcome Unhealthy(string message) => new(false, message);

    private HealthCheckOutcome Refused(OutboundAddressRefusedException refused)
    {
        if (refused.Address is { } address)
        {
            LogAddressRefused(logger, refused.Host, address.ToString(), refused.Reason);
        }

        return Unhealthy($"{refused.Message}; health checks do not connect there");
    }

    /// <summary>What failed, without the exception's text: the socket error when there is one, else the request error's kind.</summary>
    private static string Describe(HttpRequestException ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode.ToString();
            }
        }

        return ex.HttpRequestError.ToString();
    }

    [LoggerMessage(3304, LogLevel.Warning, "Health check: host {Host} resolves to {Address}, {Why}; refused")]
    private static partial void LogAddressRefused(ILogger logger, string host, string address, string why);
}

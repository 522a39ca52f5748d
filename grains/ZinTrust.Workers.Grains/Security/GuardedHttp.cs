using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The guard against server-side request forgery of every outbound request the cluster makes on its own (processor fetches,
/// alert webhooks): the handler's connect callback resolves the host itself, refuses it when any of its addresses is not public
/// (<see cref="PublicAddressPolicy"/>, or a test's seam), and connects to the addresses it checked, so that no second lookup can
/// change the answer. The handler uses no proxy (a proxy would make the connection the guard must see), follows no redirects,
/// keeps no cookies and decompresses nothing.
/// </summary>
internal static class GuardedHttp
{
    /// <summary>A handler whose connections go through <paramref name="connect"/> (which calls <see cref="ConnectAsync"/>).</summary>
    public static SocketsHttpHandler CreateHandler(OutboundSeams seams, Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect)
    {
        ArgumentNullException.ThrowIfNull(seams);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = connect,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 64,          // KiB
        };
        seams.ConfigureHandler?.Invoke(handler);
        return handler;
    }

    /// <summary>The connect callback of a guarded handler: <see cref="ConnectSocketAsync"/> to the request's host and port.</summary>
    public static async ValueTask<Stream> ConnectAsync(OutboundSeams seams, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new NetworkStream(await ConnectSocketAsync(seams, context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken), ownsSocket: true);
    }

    /// <summary>
    /// Resolves <paramref name="host"/>, refuses it (<see cref="OutboundAddressRefusedException"/>) when it has no address or any
    /// address is refused by the seams' policy, and otherwise connects to the first of those addresses that answers.
    /// </summary>
    public static async ValueTask<Socket> ConnectSocketAsync(OutboundSeams seams, string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seams);
        ArgumentNullException.ThrowIfNull(host);
        host = host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await seams.Resolve(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new OutboundAddressRefusedException(host, null, "it has no address");
        }

        foreach (var address in addresses)
        {
            if (seams.AddressRefusal(address) is { } why)
            {
                throw new OutboundAddressRefusedException(host, address, why);
            }
        }

        // Connect to the addresses just checked, never to a fresh lookup (an attacker's DNS could answer differently the second time).
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            var target = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, port), cancellationToken);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                failure = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw failure!;
    }

    /// <summary>The refusal of the guard inside a failed request (HttpClient wraps what the connect callback throws), or null.</summary>
    public static OutboundAddressRefusedException? RefusalIn(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundAddressRefusedException refusal)
            {
                return refusal;
            }
        }

        return null;
    }
}

/// <summary>The guard refused a host: it has no address (<see cref="Address"/> null) or resolves to one that is not allowed.</summary>
internal sealed class OutboundAddressRefusedException(string host, IPAddress? address, string reason)
    : IOException(address is null ? $"host '{host}' has no address" : $"host '{host}' resolves to {address}, {reason}")
{
    public string Host { get; } = host;

    public IPAddress? Address { get; } = address;

    public string Reason { get; } = reason;
}

using System.Net;
using System.Net.Http;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The parts of a guarded outbound request (<see cref="GuardedHttp"/>) a test may replace: name resolution, the address policy
/// and the handler's TLS settings. Production uses the defaults: the system resolver, <see cref="PublicAddressPolicy"/> and the
/// machine's trust store. Each feature that connects out has its own sealed kind, registered once on the silo.
/// </summary>
internal abstract class OutboundSeams
{
    /// <summary>Resolves a host name to its addresses (every one is checked before any is connected to).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>Why an address is refused, or null when it may be connected to.</summary>
    public Func<IPAddress, string?> AddressRefusal { get; init; } = PublicAddressPolicy.Refusal;

    /// <summary>Adjusts the handler (for tests: trusting a test server's certificate).</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; init; }
}

/// <summary>Seams of processor fetches (<see cref="ProcessorSpecFetcher"/>).</summary>
internal sealed class ProcessorFetchSeams : OutboundSeams
{
    public static ProcessorFetchSeams Default { get; } = new();
}

/// <summary>Seams of the alert webhook (<see cref="AlertWebhookSink"/>). Tests replace the address policy to reach a server on
/// loopback, which the real policy refuses; nothing in production registers another.</summary>
internal sealed class AlertWebhookSeams : OutboundSeams
{
    public static AlertWebhookSeams Default { get; } = new();
}

/// <summary>Seams of the workers' HTTP and TCP health checks (<see cref="HealthProbe"/>): their own address policy
/// (<see cref="HealthProbeAddresses"/>: an operator's private services are the usual target; link-local is refused).</summary>
internal sealed class HealthCheckSeams : OutboundSeams
{
    public static HealthCheckSeams Default { get; } = new() { AddressRefusal = HealthProbeAddresses.Refusal };
}

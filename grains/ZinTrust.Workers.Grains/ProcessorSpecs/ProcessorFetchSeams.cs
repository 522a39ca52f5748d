using System.Net;
using System.Net.Http;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The parts of a processor fetch a test may replace: name resolution, the address policy and the handler's TLS settings.
/// Production uses <see cref="Default"/> (the system resolver, <see cref="ProcessorAddressPolicy"/>, the machine's trust store).
/// </summary>
internal sealed class ProcessorFetchSeams
{
    public static ProcessorFetchSeams Default { get; } = new();

    /// <summary>Resolves a host name to its addresses (every one is checked before any is connected to).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>Why an address is refused, or null when it may be connected to.</summary>
    public Func<IPAddress, string?> AddressRefusal { get; init; } = ProcessorAddressPolicy.Refusal;

    /// <summary>Adjusts the handler (for tests: trusting a test server's certificate).</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; init; }
}

using System.Net;
using System.Net.Sockets;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Which addresses a worker's HTTP or TCP health check may connect to. Unlike a processor fetch (public addresses only), a health
/// check is meant for an operator's own services, on loopback and private networks as much as anywhere: those are allowed.
/// Refused are the link-local ranges (169.254.0.0/16, fe80::/10: the cloud metadata service lives there and is never a worker's
/// health endpoint), and addresses nothing can be connected to (unspecified, multicast, broadcast), in every IPv6 form that
/// carries an IPv4 address.
/// </summary>
internal static class HealthProbeAddresses
{
    /// <summary>Why <paramref name="address"/> is refused, or null when a health check may connect to it.</summary>
    public static string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => (b[0], b[1]) switch
            {
                (169, 254) => "a link-local address (169.254.0.0/16, the cloud metadata service's range)",
                (0, _) => "an unspecified address (0.0.0.0/8)",
                ( >= 224, _) => "a multicast, reserved or broadcast address",
                _ => null,
            },
            AddressFamily.InterNetworkV6 => (b[0], b[1]) switch
            {
                (0xfe, >= 0x80 and <= 0xbf) => "a link-local address (fe80::/10)",
                (0xff, _) => "a multicast address (ff00::/8)",
                _ when address.Equals(IPAddress.IPv6Any) => "the unspecified address ::",
                _ => null,
            },
            _ => "not an IP address",
        };
    }
}

using System.Net;
using System.Net.Sockets;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Which addresses an outbound request the cluster makes on its own (a processor fetch, an alert webhook) may connect to:
/// public unicast only. Loopback, private, link-local (the cloud metadata
/// address 169.254.169.254 among them), shared (CGNAT), unspecified, multicast, broadcast, reserved, documentation and
/// benchmark ranges are refused, in IPv4 and IPv6, and so are IPv6 forms that carry an IPv4 address (mapped, compatible,
/// NAT64, 6to4, Teredo) when they could reach one of those.
/// </summary>
internal static class PublicAddressPolicy
{
    /// <summary>Why <paramref name="address"/> is refused, or null when it is a public address.</summary>
    public static string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => RefusalV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => RefusalV6(address.GetAddressBytes()),
            _ => "not an IP address",
        };
    }

    private static string? RefusalV4(byte[] b) => (b[0], b[1], b[2]) switch
    {
        (0, _, _) => "the 'this network' range 0.0.0.0/8",
        (10, _, _) => "a private address (10.0.0.0/8)",
        (100, >= 64 and <= 127, _) => "a shared (CGNAT) address (100.64.0.0/10)",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address (169.254.0.0/16, the cloud metadata service's range)",
        (172, >= 16 and <= 31, _) => "a private address (172.16.0.0/12)",
        (192, 0, 0) => "an IETF protocol address (192.0.0.0/24)",
        (192, 0, 2) or (198, 51, 100) or (203, 0, 113) => "a documentation address",
        (192, 88, 99) => "a 6to4 relay address (192.88.99.0/24)",
        (192, 168, _) => "a private address (192.168.0.0/16)",
        (198, 18 or 19, _) => "a benchmarking address (198.18.0.0/15)",
        ( >= 224 and <= 239, _, _) => "a multicast address",
        ( >= 240, _, _) => "a reserved or broadcast address (240.0.0.0/4)",
        _ => null,
    };

    private static string? RefusalV6(byte[] b)
    {
        if (Zero(b, 16))
        {
            return "the unspecified address ::";
        }

        if (Zero(b, 15) && b[15] == 1)
        {
            return "the loopback address ::1";
        }

        if (Zero(b, 10) && b[10] == 0xff && b[11] == 0xff)
        {
            return RefusalV4(b[12..]) is { } mapped ? $"an IPv4-mapped form of {mapped}" : null;
        }

        if (Zero(b, 12))
        {
            return "an IPv4-compatible address (::/96, deprecated)";
        }

        return (b[0], b[1], b[2], b[3]) switch
        {
            (0x00, 0x64, 0xff, 0x9b) => "a NAT64 address (64:ff9b::/96 and 64:ff9b:1::/48 reach IPv4 through a translator)",
            (0x01, 0x00, 0, 0) when Zero(b.AsSpan(4, 4)) => "a discard address (100::/64)",
            (0x20, 0x01, 0x00, 0x00) => "a Teredo address (2001::/32)",
            (0x20, 0x01, 0x0d, 0xb8) => "a documentation address (2001:db8::/32)",
            (0x20, 0x02, _, _) => "a 6to4 address (2002::/16)",
            ( >= 0xfc and <= 0xfd, _, _, _) => "a unique local address (fc00::/7)",
            (0xfe, >= 0x80 and <= 0xbf, _, _) => "a link-local address (fe80::/10)",
            (0xfe, >= 0xc0, _, _) => "a site-local address (fec0::/10, deprecated)",
            (0xff, _, _, _) => "a multicast address (ff00::/8)",
            _ => null,
        };
    }

    private static bool Zero(byte[] bytes, int count) => Zero(bytes.AsSpan(0, count));

    private static bool Zero(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;
}

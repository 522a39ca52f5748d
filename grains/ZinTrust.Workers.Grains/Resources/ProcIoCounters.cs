using System.Globalization;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// <see cref="IIoCounters"/> on Linux. Disk: <c>/proc/self/io</c>'s <c>read_bytes</c> and <c>write_bytes</c>, what this process
/// (the silo) made the storage layer read and write, so silos sharing a machine each report their own, not the host's. Network:
/// <c>/proc/self/net/dev</c>, every interface of the process's network namespace but loopback: the container's interfaces in a
/// container, the machine's otherwise (Linux keeps no per-process network counters). Elsewhere, and where a file cannot be read
/// (a kernel without task I/O accounting, a sandbox), the member is null.
/// </summary>
public sealed class ProcIoCounters : IIoCounters
{
    private readonly string processIo;
    private readonly string netDev;

    public ProcIoCounters()
        : this("/proc/self/io", "/proc/self/net/dev")
    {
    }

    /// <summary>Reads the two files from other paths (tests).</summary>
    public ProcIoCounters(string processIo, string netDev)
    {
        this.processIo = processIo;
        this.netDev = netDev;
    }

    public IoCounterReading Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return IoCounterReading.None;
        }

        var (read, written) = TryRead(processIo) is { } io ? ParseProcessIo(io) : (null, null);
        return new IoCounterReading
        {
            DiskReadBytes = read,
            DiskWriteBytes = written,
            Network = TryRead(netDev) is { } dev ? ParseNetDev(dev) : null,
        };
    }

    /// <summary><c>read_bytes</c> and <c>write_bytes</c> of a <c>/proc/[pid]/io</c> text; null for a field it lacks.</summary>
    public static (long? ReadBytes, long? WriteBytes) ParseProcessIo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long? read = null;
        long? written = null;
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                continue;
            }

            switch (line[..colon].Trim())
            {
                case "read_bytes":
                    read = value;
                    break;
                case "write_bytes":
                    written = value;
                    break;
            }
        }

        return (read, written);
    }

    /// <summary>
    /// Received and transmitted bytes per interface of a <c>/proc/net/dev</c> text (two header lines, then
    /// <c>name: rx_bytes rx_packets … (8 receive columns) tx_bytes …</c>), loopback left out; lines that do not parse are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, NetworkInterfaceBytes> ParseNetDev(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var interfaces = new Dictionary<string, NetworkInterfaceBytes>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var columns = line[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (name.Length == 0 || name == "lo" || columns.Length < 9
                || !long.TryParse(columns[0], NumberStyles.None, CultureInfo.InvariantCulture, out long received)
                || !long.TryParse(columns[8], NumberStyles.None, CultureInfo.InvariantCulture, out long transmitted))
            {
                continue;
            }

            interfaces[name] = new NetworkInterfaceBytes(received, transmitted);
        }

        return interfaces;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}

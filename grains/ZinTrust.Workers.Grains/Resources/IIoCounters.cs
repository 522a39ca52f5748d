namespace ZinTrust.Workers.Grains;

/// <summary>
/// The silo's cumulative disk and network byte counters, as the operating system keeps them; the resource sampler turns two
/// readings into rates. The default, <see cref="ProcIoCounters"/>, reads Linux's /proc; a host on another platform (or a test)
/// can register its own.
/// </summary>
public interface IIoCounters
{
    /// <summary>The counters now; a member is null where the platform does not provide it.</summary>
    IoCounterReading Read();
}

/// <summary>One reading of <see cref="IIoCounters"/>: totals since the process started (disk) or the interface came up (network).</summary>
public sealed record IoCounterReading
{
    /// <summary>Bytes the silo process caused to be read from storage devices.</summary>
    public long? DiskReadBytes { get; init; }

    /// <summary>Bytes the silo process caused to be written to storage devices.</summary>
    public long? DiskWriteBytes { get; init; }

    /// <summary>Bytes received and sent, by network interface (loopback left out).</summary>
    public IReadOnlyDictionary<string, NetworkInterfaceBytes>? Network { get; init; }

    /// <summary>A reading with nothing in it: the platform keeps none of these counters.</summary>
    public static IoCounterReading None { get; } = new();
}

/// <summary>An interface's received and transmitted bytes.</summary>
public readonly record struct NetworkInterfaceBytes(long Received, long Transmitted);

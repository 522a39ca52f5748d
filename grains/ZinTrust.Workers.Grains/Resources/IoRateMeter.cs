namespace ZinTrust.Workers.Grains;

/// <summary>Disk and network throughput between two readings, in bytes per second; null where it cannot be told.</summary>
internal readonly record struct IoRates(double? DiskReadBytesPerSecond, double? DiskWriteBytesPerSecond, double? NetworkReceiveBytesPerSecond, double? NetworkTransmitBytesPerSecond)
{
    public static IoRates Unknown => default;
}

/// <summary>
/// Turns the silo's cumulative I/O counters into rates: each measurement is the difference from the previous one over the time
/// between them (on the workers clock). The first has no previous one (null rates); a measurement less than a second after the
/// previous repeats its rates rather than divide by almost nothing; a counter that went down (reset) gives null for that figure
/// once; a network interface counts from the second reading that has it.
/// </summary>
internal sealed class IoRateMeter(IIoCounters counters, TimeProvider clock)
{
    private static readonly TimeSpan MinimumSpan = TimeSpan.FromSeconds(1);
    private readonly Lock gate = new();
    private IoCounterReading? last;
    private long lastTimestamp;
    private IoRates lastRates = IoRates.Unknown;

    public IoRates Measure()
    {
        var reading = counters.Read();
        long now = clock.GetTimestamp();
        lock (gate)
        {
            if (last is { } previous)
            {
                var elapsed = clock.GetElapsedTime(lastTimestamp, now);
                if (elapsed < MinimumSpan)
                {
                    return lastRates;
                }

                double seconds = elapsed.TotalSeconds;
                var (received, transmitted) = Network(previous.Network, reading.Network);
                lastRates = new IoRates(
                    Rate(previous.DiskReadBytes, reading.DiskReadBytes, seconds),
                    Rate(previous.DiskWriteBytes, reading.DiskWriteBytes, seconds),
                    received is { } rx ? Math.Round(rx / seconds, 1) : null,
                    transmitted is { } tx ? Math.Round(tx / seconds, 1) : null);
            }

            last = reading;
            lastTimestamp = now;
            return lastRates;
        }
    }

    private static double? Rate(long? before, long? after, double seconds) =>
        before is { } b && after is { } a && a >= b ? Math.Round((a - b) / seconds, 1) : null;

    /// <summary>Bytes received and sent between the two readings over the interfaces both have (each only if its counters grew).</summary>
    private static (long? Received, long? Transmitted) Network(IReadOnlyDictionary<string, NetworkInterfaceBytes>? before, IReadOnlyDictionary<string, NetworkInterfaceBytes>? after)
    {
        if (before is null || after is null)
        {
            return (null, null);
        }

        long received = 0;
        long transmitted = 0;
        foreach (var (name, now) in after)
        {
            if (before.TryGetValue(name, out var then) && now.Received >= then.Received && now.Transmitted >= then.Transmitted)
            {
                received += now.Received - then.Received;
                transmitted += now.Transmitted - then.Transmitted;
            }
        }

        return (received, transmitted);
    }
}

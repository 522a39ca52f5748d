using Microsoft.Extensions.Time.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Disk and network counters: reading Linux's /proc files, and rates from the difference between two readings.</summary>
public sealed class IoCountersTests
{
    private const string ProcessIo = """
        rchar: 6976
        wchar: 52
        syscr: 10
        syscw: 1
        read_bytes: 4096
        write_bytes: 1236992
        cancelled_write_bytes: 0
        """;

    private const string NetDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo: 8168460846 3386933    0    0    0     0          0         0 8168460846 3386933    0    0    0     0       0          0
          eth0: 787744787   38107    0    0    0     0          0         0  2496773   31074    0    0    0     0       0          0
        wlp2s0:123 7 0 0 0 0 0 0 456 8 0 0 0 0 0 0
          bad0: not-a-number 1 2
        """;

    [Fact]
    public void ProcessIo_GivesTheBytesTheProcessReadAndWroteFromStorage()
    {
        Assert.Equal((4096L, 1236992L), ProcIoCounters.ParseProcessIo(ProcessIo));
        Assert.Equal((null, null), ProcIoCounters.ParseProcessIo("rchar: 12\nwchar: 40\n"));   // a kernel without task I/O accounting
    }

    [Fact]
    public void NetDev_GivesEachInterfacesBytes_LeavingOutLoopbackAndLinesThatDoNotParse()
    {
        var interfaces = ProcIoCounters.ParseNetDev(NetDev);

        Assert.Equal(
            new Dictionary<string, NetworkInterfaceBytes> { ["eth0"] = new(787744787, 2496773), ["wlp2s0"] = new(123, 456) },
            interfaces);
    }

    [Fact]
    public void Reading_TheFiles_FillsTheReading_AndAMissingFileLeavesItsFiguresNull()
    {
        var dir = Directory.CreateTempSubdirectory("zt-io-");
        try
        {
            var io = Path.Combine(dir.FullName, "io");
            var dev = Path.Combine(dir.FullName, "dev");
            File.WriteAllText(io, ProcessIo);
            File.WriteAllText(dev, NetDev);

            var both = new ProcIoCounters(io, dev).Read();
            var neither = new ProcIoCounters(Path.Combine(dir.FullName, "none"), Path.Combine(dir.FullName, "none")).Read();

            if (OperatingSystem.IsLinux())
            {
                Assert.Equal((4096L, 1236992L), (both.DiskReadBytes, both.DiskWriteBytes));
                Assert.Equal(2, both.Network!.Count);
            }
            else
            {
                Assert.Equal(IoCounterReading.None, both);   // elsewhere: null, not zero
            }

            Assert.Equal((null, null, null), (neither.DiskReadBytes, neither.DiskWriteBytes, neither.Network));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Rates_AreTheDifferenceOverTheTimeBetweenReadings_NullFirst_AndNullWhereACounterWentDown()
    {
        var clock = new FakeTimeProvider();
        var counters = new FakeCounters();
        var meter = new IoRateMeter(counters, clock);
        counters.Now = Reading(read: 1_000, write: 2_000, ("eth0", 5_000, 6_000));

        Assert.Equal(IoRates.Unknown, meter.Measure());   // nothing to compare with yet

        clock.Advance(TimeSpan.FromSeconds(10));
        counters.Now = Reading(read: 11_000, write: 2_000, ("eth0", 105_000, 56_000), ("eth1", 900, 900));
        Assert.Equal(new IoRates(1_000, 0, 10_000, 5_000), meter.Measure());   // eth1 counts from its second reading

        clock.Advance(TimeSpan.FromMilliseconds(200));
        counters.Now = Reading(read: 99_000, write: 99_000, ("eth0", 999_000, 999_000));
        Assert.Equal(new IoRates(1_000, 0, 10_000, 5_000), meter.Measure());   // too soon to tell: the last rates again

        clock.Advance(TimeSpan.FromSeconds(4.8));
        counters.Now = Reading(read: 500, write: 7_000, ("eth0", 155_000, 56_500), ("eth1", 1_900, 400));
        Assert.Equal(new IoRates(null, 1_000, 10_000, 100), meter.Measure());   // read was reset; eth1 sent less than before: left out

        clock.Advance(TimeSpan.FromSeconds(5));
        counters.Now = IoCounterReading.None;
        Assert.Equal(IoRates.Unknown, meter.Measure());   // the platform stopped telling
    }

    private static IoCounterReading Reading(long read, long write, params (string Name, long Received, long Transmitted)[] interfaces) => new()
    {
        DiskReadBytes = read,
        DiskWriteBytes = write,
        Network = interfaces.ToDictionary(i => i.Name, i => new NetworkInterfaceBytes(i.Received, i.Transmitted)),
    };

    private sealed class FakeCounters : IIoCounters
    {
        public IoCounterReading Now { get; set; } = IoCounterReading.None;

        public IoCounterReading Read() => Now;
    }
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>One silo's resources at one moment, taken by the resource monitor every interval.</summary>
[GenerateSerializer, Immutable, Alias("zt.ResourceSnapshot")]
public sealed record ResourceSnapshot
{
    [Id(0)] public DateTimeOffset At { get; init; }

    /// <summary>The silo's address.</summary>
    [Id(1)] public required string Silo { get; init; }

    /// <summary>The machine's CPU use, 0–100 (Orleans' smoothed figure, as in the system summary).</summary>
    [Id(2)] public double CpuPercent { get; init; }

    /// <summary>The silo process's own CPU use since its previous snapshot, 0–100 of all its cores.</summary>
    [Id(3)] public double ProcessCpuPercent { get; init; }

    /// <summary>The cores the process may use (container limits included).</summary>
    [Id(4)] public int ProcessorCount { get; init; }

    /// <summary>Memory the process uses (Orleans' smoothed figure: committed managed memory).</summary>
    [Id(5)] public long MemoryUsedBytes { get; init; }

    /// <summary>Memory available to the process (the lower of its limit and the GC's high-load threshold).</summary>
    [Id(6)] public long MemoryTotalBytes { get; init; }

    /// <summary>The process's working set (physical memory it holds), what memory costs are charged on.</summary>
    [Id(7)] public long WorkingSetBytes { get; init; }

    [Id(8)] public long GcHeapBytes { get; init; }

    /// <summary>Collections since the process started, by generation.</summary>
    [Id(9)] public int Gen0Collections { get; init; }

    [Id(10)] public int Gen1Collections { get; init; }

    [Id(11)] public int Gen2Collections { get; init; }

    /// <summary>The share of time the GC has paused the process (the runtime's figure, since start).</summary>
    [Id(12)] public double GcPauseTimePercentage { get; init; }

    [Id(13)] public int ThreadPoolThreads { get; init; }

    /// <summary>Work items queued to the thread pool and not yet started.</summary>
    [Id(14)] public long ThreadPoolQueueLength { get; init; }

    /// <summary>Grain activations on the silo.</summary>
    [Id(15)] public int Activations { get; init; }

    /// <summary>The time this snapshot stands for in cost estimates (the sampling interval when it was taken).</summary>
    [Id(16)] public TimeSpan Period { get; init; }

    /// <summary>Worker replicas hosted on the silo at that moment.</summary>
    [Id(17)] public IReadOnlyList<WorkerReplicaShare> Workers { get; init; } = [];

    /// <summary>Physical memory in use on the machine (or in the container), by any process, as the GC last saw it.</summary>
    [Id(18)] public long MemoryLoadBytes { get; init; }

    /// <summary>
    /// Bytes per second the silo process made the storage layer read since the silo's previous snapshot (Linux:
    /// <c>/proc/self/io</c> read_bytes). Null on a silo's first snapshot, after a counter reset, and where the platform does not
    /// tell (not Linux, or a kernel without per-process I/O accounting).
    /// </summary>
    [Id(19)] public double? DiskReadBytesPerSecond { get; init; }

    /// <summary>Bytes per second the silo process wrote to storage (write_bytes), as <see cref="DiskReadBytesPerSecond"/>.</summary>
    [Id(20)] public double? DiskWriteBytesPerSecond { get; init; }

    /// <summary>
    /// Bytes per second received since the previous snapshot over every network interface of the silo's network namespace but
    /// loopback (Linux: <c>/proc/self/net/dev</c>; in a container, the container's interfaces). Null as for the disk figures.
    /// </summary>
    [Id(21)] public double? NetworkReceiveBytesPerSecond { get; init; }

    /// <summary>Bytes per second sent, as <see cref="NetworkReceiveBytesPerSecond"/>.</summary>
    [Id(22)] public double? NetworkTransmitBytesPerSecond { get; init; }

    /// <summary>The machine's memory in use as a share of <see cref="MemoryTotalBytes"/> (the seed's memory figure), 0–100.</summary>
    public double MemoryPercent => MemoryTotalBytes <= 0 ? 0 : Math.Clamp(100.0 * MemoryLoadBytes / MemoryTotalBytes, 0, 100);
}

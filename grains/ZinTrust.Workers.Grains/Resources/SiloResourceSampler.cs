using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Statistics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Measures this silo's process: Orleans' CPU and memory statistics, the process's own CPU time since the
/// previous measurement, disk and network throughput since the previous measurement (<see cref="IIoCounters"/>), the GC, the
/// thread pool and the worker replicas hosted here. One per silo.
/// </summary>
internal sealed class SiloResourceSampler(
    IEnvironmentStatisticsProvider environment,
    LocalReplicas replicas,
    ILocalSiloDetails silo,
    IIoCounters io,
    [FromKeyedServices(WorkersClock.Key)] TimeProvider clock)
{
    private static readonly TimeSpan MinimumSpan = TimeSpan.FromMilliseconds(100);
    private readonly Lock gate = new();
    private TimeSpan lastCpu = Environment.CpuUsage.TotalTime;
    private long lastTimestamp = Stopwatch.GetTimestamp();
    private readonly IoRateMeter ioRates = new(io, clock);

    public ResourceSnapshot Take(TimeSpan period)
    {
        var statistics = environment.GetEnvironmentStatistics();
        var gc = GC.GetGCMemoryInfo();
        var rates = ioRates.Measure();
        return new ResourceSnapshot
        {
            At = clock.GetUtcNow(),
            Silo = silo.SiloAddress.ToString(),
            CpuPercent = Math.Round(statistics.FilteredCpuUsagePercentage, 2),
            ProcessCpuPercent = Math.Round(ProcessCpuPercent(), 2),
            ProcessorCount = Environment.ProcessorCount,
            MemoryUsedBytes = statistics.FilteredMemoryUsageBytes,
            MemoryTotalBytes = statistics.MaximumAvailableMemoryBytes,
            MemoryLoadBytes = gc.MemoryLoadBytes,
            WorkingSetBytes = Environment.WorkingSet,
            GcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            Gen0Collections = GC.CollectionCount(0),
            Gen1Collections = GC.CollectionCount(1),
            Gen2Collections = GC.CollectionCount(2),
            GcPauseTimePercentage = Math.Round(gc.PauseTimePercentage, 2),
            ThreadPoolThreads = ThreadPool.ThreadCount,
            ThreadPoolQueueLength = ThreadPool.PendingWorkItemCount,
            Period = period,
            Workers = replicas.Shares(),
            DiskReadBytesPerSecond = rates.DiskReadBytesPerSecond,
            DiskWriteBytesPerSecond = rates.DiskWriteBytesPerSecond,
            NetworkReceiveBytesPerSecond = rates.NetworkReceiveBytesPerSecond,
            NetworkTransmitBytesPerSecond = rates.NetworkTransmitBytesPerSecond,
        };
    }

    /// <summary>CPU time the process used since the previous call, as a share of all its cores (0–100).</summary>
    private double ProcessCpuPercent()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        long now = Stopwatch.GetTimestamp();
        TimeSpan used;
        TimeSpan elapsed;
        lock (gate)
        {
            used = cpu - lastCpu;
            elapsed = Stopwatch.GetElapsedTime(lastTimestamp, now);
            if (elapsed < MinimumSpan)
            {
                // Too short to mean anything (the first call right after start-up): average over the process's life.
                using var process = Process.GetCurrentProcess();
                used = cpu;
                elapsed = DateTime.Now - process.StartTime;
            }
            else
            {
                lastCpu = cpu;
                lastTimestamp = now;
            }
        }

        return elapsed <= TimeSpan.Zero ? 0 : Math.Clamp(used / elapsed / Environment.ProcessorCount * 100, 0, 100);
    }
}

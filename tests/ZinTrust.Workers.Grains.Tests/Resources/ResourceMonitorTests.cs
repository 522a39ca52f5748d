using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The resource monitor: its gate, snapshots of every silo, bounded history, stop/start, and its reminder.
/// Each test owns its cluster (the monitor is a cluster singleton).</summary>
public sealed class ResourceMonitorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>The seed's table (env × any worker with the feature) with the operator's switch; null = variable unset.</summary>
    [Theory]
    [InlineData(true, true, false, ResourceMonitorGate.Running)]
    [InlineData(true, false, false, ResourceMonitorGate.NoWorkerRequestsIt)]
    [InlineData(false, true, false, ResourceMonitorGate.DisabledByEnvironment)]
    [InlineData(false, false, false, ResourceMonitorGate.DisabledByEnvironment)]
    [InlineData(null, true, false, ResourceMonitorGate.Running)]
    [InlineData(null, false, false, ResourceMonitorGate.NoWorkerRequestsIt)]
    [InlineData(true, true, true, ResourceMonitorGate.StoppedByOperator)]
    [InlineData(true, false, true, ResourceMonitorGate.StoppedByOperator)]
    [InlineData(false, true, true, ResourceMonitorGate.DisabledByEnvironment)]
    public async Task Gate_FollowsTheSeedsTable_AndTheOperatorsSwitch(bool? environment, bool workerRequestsIt, bool operatorStopped, ResourceMonitorGate expected)
    {
        await using var c = await StartAsync(silos: 1, configure: o =>
        {
            if (environment is { } enabled)
            {
                o.Enabled = enabled;
            }
        });
        var monitor = Monitor(c);
        if (operatorStopped)
        {
            await monitor.Stop();
        }

        await CreateWorker(c, "gate-worker", requestsMonitoring: workerRequestsIt);
        await CreateWorker(c, "gate-quiet", requestsMonitoring: false);

        // The registry tells the monitor one-way, so the status settles shortly after the worker is created. An operator's
        // stop shows at once, before the registry's word arrives: wait for both.
        string[] requesting = environment != false && workerRequestsIt ? ["gate-worker"] : [];
        var status = await Eventually.Get(
            monitor.GetStatus,
            s => s.Gate == expected && s.RequestingWorkers.SequenceEqual(requesting),
            $"the gate settles on {expected} with [{string.Join(", ", requesting)}] requesting",
            TimeSpan.FromSeconds(10));

        Assert.Equal(expected == ResourceMonitorGate.Running, status.Running);
        Assert.Equal(environment ?? true, status.EnvironmentEnabled);
        if (expected == ResourceMonitorGate.Running)
        {
            await Eventually.True(async () => (await monitor.GetStatus()).Latest.Count == 1, "a snapshot of the silo");
        }
        else
        {
            Assert.Empty((await monitor.GetHistory(null, null, null, 100)));
        }
    }

    [Fact]
    public async Task Gate_FollowsWorkersAsTheyAreCreatedUpdatedDeactivatedAndDeleted_AndTheOperatorsStartStop()
    {
        await using var c = await StartAsync(silos: 1);
        var monitor = Monitor(c);
        Assert.Equal(ResourceMonitorGate.NoWorkerRequestsIt, (await monitor.GetStatus()).Gate);

        var worker = await CreateWorker(c, "follow-worker", requestsMonitoring: false);
        await worker.Update(new WorkerUpdate { Features = new Dictionary<string, bool> { ["resourceMonitoring"] = true } });
        await WaitForGate(monitor, ResourceMonitorGate.Running);

        var stopped = await monitor.Stop();
        Assert.Equal(ResourceMonitorGate.StoppedByOperator, stopped.Gate);   // at once, not on the next tick
        Assert.True(stopped.StoppedByOperator);
        var started = await monitor.Start();
        Assert.Equal(ResourceMonitorGate.Running, started.Gate);

        await worker.Update(new WorkerUpdate { ActiveStatus = false });
        await WaitForGate(monitor, ResourceMonitorGate.NoWorkerRequestsIt);
        await worker.Update(new WorkerUpdate { ActiveStatus = true });
        await WaitForGate(monitor, ResourceMonitorGate.Running);
        await worker.Delete();
        await WaitForGate(monitor, ResourceMonitorGate.NoWorkerRequestsIt);
    }

    [Fact]
    public async Task Snapshots_CoverEverySiloOfTheCluster_EachInterval_WithTheReplicasTheyHost()
    {
        await using var c = await StartAsync(silos: 2);
        var monitor = Monitor(c);
        await c.Worker("snap-worker").Create(new WorkerDefinition
        {
            Name = "snap-worker",
            QueueName = "q-snap",
            Processor = "test",
            Replicas = 2,
            Features = new Dictionary<string, bool> { ["resourceMonitoring"] = true },
        });
        await c.Worker("snap-worker").Start();
        var silos = c.Cluster.Silos.Select(s => s.SiloAddress.ToString()).Order().ToArray();

        // The first round comes at once (replicas may still be starting), the next one interval later.
        await Eventually.True(async () => (await monitor.GetHistory(null, null, null, 100)).Count == 2, "a first snapshot of both silos");
        c.Clock!.Advance(Interval);
        var second = c.Clock.GetUtcNow();
        var round = await Eventually.Get(
            async () => (await monitor.GetHistory(null, second, null, 100)),
            r => r.Count == 2,
            "a second round, one interval later");

        Assert.Equal(silos, round.Select(s => s.Silo).Order());
        Assert.All(round, s =>
        {
            Assert.Equal(second, s.At);
            Assert.Equal(Interval, s.Period);
            Assert.True(s.ProcessorCount > 0 && s.WorkingSetBytes > 0 && s.GcHeapBytes > 0 && s.ThreadPoolThreads > 0 && s.Activations > 0, s.ToString());
            Assert.InRange(s.CpuPercent, 0, 100);
            Assert.InRange(s.ProcessCpuPercent, 0, 100);
            Assert.True(s.MemoryLoadBytes > 0, s.ToString());
            Assert.InRange(s.MemoryPercent, 0, 100);
            Assert.True(s.Gen0Collections >= s.Gen1Collections && s.Gen1Collections >= s.Gen2Collections, s.ToString());
            var share = Assert.Single(s.Workers);
            Assert.Equal(("snap-worker", 1), (share.Worker, share.Replicas));   // replica n lands on the n-th silo
        });
        var status = await monitor.GetStatus();
        Assert.Equal(silos, status.Latest.Select(s => s.Silo));
        Assert.Equal(second, status.LastSnapshotAt);
        var one = await monitor.GetHistory(silos[0], null, null, 100);
        Assert.Equal(2, one.Count);
        Assert.All(one, s => Assert.Equal(silos[0], s.Silo));
    }

    [Fact]
    public async Task History_KeepsTheNewestSnapshotsPerSilo_UpToTheLimit()
    {
        await using var c = await StartAsync(silos: 1, configure: o => o.HistoryLimit = 3);
        var monitor = Monitor(c);
        await CreateWorker(c, "bounded-worker", requestsMonitoring: true);
        await Eventually.True(async () => (await monitor.GetStatus()).LastSnapshotAt is not null, "the first snapshot");

        var times = new List<DateTimeOffset>();
        for (int i = 0; i < 5; i++)
        {
            c.Clock!.Advance(Interval);
            var now = c.Clock.GetUtcNow();
            times.Add(now);
            await Eventually.True(async () => (await monitor.GetStatus()).LastSnapshotAt == now, $"the snapshot of round {i + 2}");
        }

        var history = await monitor.GetHistory(null, null, null, 100);
        Assert.Equal(times.TakeLast(3), history.Select(s => s.At));
        Assert.Equal(2, (await monitor.GetHistory(null, null, null, 2)).Count);
        Assert.Equal(times[^2..], (await monitor.GetHistory(null, times[^2], null, 100)).Select(s => s.At));
    }

    [Fact]
    public async Task Stop_TakesNoMoreSnapshots_KeepsTheHistory_AndStartResumesAtOnce()
    {
        await using var c = await StartAsync(silos: 1);
        var monitor = Monitor(c);
        await CreateWorker(c, "stop-worker", requestsMonitoring: true);
        await Eventually.True(async () => (await monitor.GetHistory(null, null, null, 100)).Count == 1, "the first snapshot");

        await monitor.Stop();
        for (int i = 0; i < 3; i++)
        {
            c.Clock!.Advance(Interval);
        }

        await monitor.Tick();   // a round that was already on its way is refused too
        Assert.Single(await monitor.GetHistory(null, null, null, 100));
        Assert.Null(await monitor.GetCosts());   // no unit price configured: no estimate

        await monitor.Start();
        await Eventually.True(async () => (await monitor.GetHistory(null, null, null, 100)).Count == 2, "a snapshot right after the start");
    }

    [Fact]
    public async Task Reminder_BringsTheMonitorBack_AfterTheSiloHostingItStops()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 3, workers: w => w.ConfigureResourceMonitor(o =>
        {
            o.Interval = TimeSpan.FromSeconds(1);
            o.ReminderPeriod = TimeSpan.FromSeconds(1);
        }));
        var monitor = Monitor(c);
        await CreateWorker(c, "return-worker", requestsMonitoring: true);
        await WaitForGate(monitor, ResourceMonitorGate.Running);
        var before = await Eventually.Get(monitor.GetStatus, s => s.LastSnapshotAt is not null, "a first snapshot");
        var host = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Host);

        await c.Cluster.StopSiloAsync(host, TestContext.Current.CancellationToken);
        int samples = c.Calls["TakeSnapshot"];

        // Nobody calls the monitor now: only its reminder can re-activate it on a live silo and re-arm the timer.
        await Eventually.True(() => c.Calls["TakeSnapshot"] >= samples + 4, "snapshots resume without any call to the monitor", TimeSpan.FromSeconds(45));
        var after = await monitor.GetStatus();
        Assert.Equal(ResourceMonitorGate.Running, after.Gate);
        Assert.NotEqual(before.Host, after.Host);
        Assert.DoesNotContain(after.Latest, s => s.Silo == before.Host);
    }

    [Fact]
    public async Task Costs_PriceWhatTheStorageBackendsHold_MeasuredAtMostOnceAMinute_LeavingOutOneThatFails()
    {
        const long GiB = 1024L * 1024 * 1024;
        var storage = new FixedStorage { Bytes = 10 * GiB };
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w =>
        {
            w.Services.AddSingleton<IStorageUsage>(storage);
            w.Services.AddSingleton<IStorageUsage>(new BrokenStorage());
            w.ConfigureCosts(o => o.StoragePerGbMonth = 3);
        });
        var monitor = Monitor(c);

        var first = await monitor.GetCosts();
        storage.Bytes = 20 * GiB;
        var cached = await monitor.GetCosts();
        c.Clock!.Advance(TimeSpan.FromMinutes(1));
        var fresh = await monitor.GetCosts();

        Assert.Equal(10 * GiB, first!.StorageBytes);
        Assert.Equal(1.0, first.Storage, 9);   // 10 GiB at 3 per GiB-month, for one day of a 30-day month
        Assert.Equal(first.Storage, first.Total, 9);
        Assert.Equal(10 * GiB, cached!.StorageBytes);
        Assert.Equal(20 * GiB, fresh!.StorageBytes);
        Assert.Equal(2.0, fresh.Storage, 9);
    }

    [Fact]
    public async Task Snapshots_CarryDiskAndNetworkRates_SinceTheSilosPreviousSnapshot_NullOnTheFirst()
    {
        var counters = new SettableIoCounters { Now = Io(read: 0, write: 0, received: 0, transmitted: 0) };
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w =>
        {
            w.Services.AddSingleton<IIoCounters>(counters);
            w.ConfigureResourceMonitor(o => o.Interval = Interval);
        });
        var monitor = Monitor(c);
        await CreateWorker(c, "io-worker", requestsMonitoring: true);
        var first = Assert.Single(await Eventually.Get(() => monitor.GetHistory(null, null, null, 100), h => h.Count == 1, "the first snapshot"));

        counters.Now = Io(read: 30 * 1_000, write: 30 * 2_000, received: 30 * 10_000, transmitted: 30 * 5_000);
        c.Clock!.Advance(Interval);
        var second = (await Eventually.Get(() => monitor.GetHistory(null, null, null, 100), h => h.Count == 2, "the second snapshot"))[^1];

        counters.Now = IoCounterReading.None;
        c.Clock.Advance(Interval);
        var third = (await Eventually.Get(() => monitor.GetHistory(null, null, null, 100), h => h.Count == 3, "the third snapshot"))[^1];

        Assert.Equal((null, null, null, null), (first.DiskReadBytesPerSecond, first.DiskWriteBytesPerSecond, first.NetworkReceiveBytesPerSecond, first.NetworkTransmitBytesPerSecond));
        Assert.Equal((1_000, 2_000, 10_000, 5_000), (second.DiskReadBytesPerSecond, second.DiskWriteBytesPerSecond, second.NetworkReceiveBytesPerSecond, second.NetworkTransmitBytesPerSecond));
        Assert.Equal((null, null, null, null), (third.DiskReadBytesPerSecond, third.DiskWriteBytesPerSecond, third.NetworkReceiveBytesPerSecond, third.NetworkTransmitBytesPerSecond));
    }

    private static IoCounterReading Io(long read, long write, long received, long transmitted) => new()
    {
        DiskReadBytes = read,
        DiskWriteBytes = write,
        Network = new Dictionary<string, NetworkInterfaceBytes> { ["eth0"] = new(received, transmitted) },
    };

    private sealed class SettableIoCounters : IIoCounters
    {
        public volatile IoCounterReading Now = IoCounterReading.None;

        public IoCounterReading Read() => Now;
    }

    private sealed class FixedStorage : IStorageUsage
    {
        public long Bytes { get; set; }

        public string Name => "fixed";

        public Task<long> GetBytesAsync(CancellationToken cancellationToken) => Task.FromResult(Bytes);
    }

    private sealed class BrokenStorage : IStorageUsage
    {
        public string Name => "broken";

        public Task<long> GetBytesAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("unreachable");
    }

    private static Task<WorkersCluster> StartAsync(int silos, Action<ResourceMonitorOptions>? configure = null) =>
        WorkersCluster.StartAsync(silos, fakeClock: true, workers: w => w.ConfigureResourceMonitor(o =>
        {
            o.Interval = Interval;
            o.ReminderPeriod = TimeSpan.FromMinutes(1);
            configure?.Invoke(o);
        }));

    private static IResourceMonitorGrain Monitor(WorkersCluster c) => c.Client.GetGrain<IResourceMonitorGrain>(0);

    private static async Task<IWorkerGrain> CreateWorker(WorkersCluster c, string name, bool requestsMonitoring)
    {
        var worker = c.Worker(name);
        await worker.Create(new WorkerDefinition
        {
            Name = name,
            QueueName = "q-" + name,
            Processor = "test",
            Features = new Dictionary<string, bool> { ["resourceMonitoring"] = requestsMonitoring, ["metrics"] = true },
        });
        return worker;
    }

    private static Task<ResourceMonitorStatus> WaitForGate(IResourceMonitorGrain monitor, ResourceMonitorGate gate) =>
        Eventually.Get(monitor.GetStatus, s => s.Gate == gate, $"the gate becomes {gate}", TimeSpan.FromSeconds(10));
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class DiscoveryTests
{
    public sealed record Order(int Number);

    [ZinTrustWorker("disc-orders", "q-disc-orders", Version = "2.0.0", Concurrency = 3)]
    public sealed class OrderProcessor : IJobProcessor<Order>
    {
        public Task<object?> ProcessAsync(Order payload, JobContext context) => Task.FromResult<object?>(new { handled = payload.Number });
    }

    [ZinTrustWorker("disc-manual", "q-disc-manual", AutoStart = AutoStartSetting.False)]
    public sealed class ManualProcessor : IJobProcessor
    {
        public Task<object?> ProcessAsync(JobContext context) => Task.FromResult<object?>(null);
    }

    [Fact]
    public async Task DiscoveredWorkers_AreRegistered_AndAutoStarted_WhenPersistenceHasNoCandidates()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, configure: o => o.AutoStart = true, workers: w => w.AddWorkersFromAssembly(typeof(DiscoveryTests).Assembly));

        var orders = await Eventually.Get(() => c.Worker("disc-orders").Get(), w => w?.Status == WorkerStatus.Running, "the discovered worker runs");
        var manual = await Eventually.Get(() => c.Worker("disc-manual").Get(), w => w is not null, "the manual worker is registered");

        Assert.Equal("2.0.0", orders!.Definition.Version);
        Assert.Equal(3, orders.Definition.Concurrency);
        Assert.Equal(WorkerStatus.Stopped, manual!.Status);
        var ack = await c.Queue("q-disc-orders").Enqueue(new EnqueueRequest { Payload = """{"number":42}""" });
        var job = await c.WaitForState("q-disc-orders", ack.JobId, JobState.Completed);
        Assert.Equal("""{"handled":42}""", job.Result);
    }

    [Fact]
    public async Task DiscoveredWorkers_AreNotUsed_WhenPersistenceHasAutoStartCandidates()
    {
        await using var c = await WorkersCluster.StartAsync(
            silos: 1,
            configure: o => o.AutoStart = true,
            workers: w => w
                .AddWorker(new WorkerDefinition { Name = "persisted", QueueName = "q-persisted", Processor = "test" })
                .AddWorkersFromAssembly(typeof(DiscoveryTests).Assembly));

        await Eventually.Get(() => c.Worker("persisted").Get(), w => w?.Status == WorkerStatus.Running, "the persisted candidate runs");

        Assert.Null(await c.Worker("disc-orders").Get());
    }

    [Fact]
    public async Task OnlyWorkersOnTheConfiguredDriver_AutoStart()
    {
        await using var c = await WorkersCluster.StartAsync(
            silos: 1,
            configure: o => o.AutoStart = true,
            workers: w => w
                .AddWorker(new WorkerDefinition { Name = "on-memory", QueueName = "q-on-memory", Processor = "test", PersistenceDriver = "memory" })
                .AddWorker(new WorkerDefinition { Name = "on-redis", QueueName = "q-on-redis", Processor = "test", PersistenceDriver = "redis" }));

        await Eventually.Get(() => c.Worker("on-memory").Get(), w => w?.Status == WorkerStatus.Running, "the worker on the configured driver runs");

        Assert.Equal(WorkerStatus.Stopped, (await c.Worker("on-redis").Get())!.Status);
        Assert.Equal(WorkerStatus.Running, (await c.Worker("on-redis").Start()).Status);
    }
}

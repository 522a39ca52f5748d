using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class AutoStartTests
{
    [Theory]
    [InlineData(true, true, true, true)]
    [InlineData(false, false, true, false)]
    [InlineData(false, true, true, false)]
    [InlineData(true, false, true, false)]
    [InlineData(true, null, true, true)]
    [InlineData(false, null, true, false)]
    [InlineData(null, null, true, false)]
    [InlineData(null, true, true, false)]
    [InlineData(true, true, false, false)]
    public void ShouldAutoStart_FollowsTheSeedsTruthTable(bool? global, bool? worker, bool active, bool expected) =>
        Assert.Equal(expected, AutoStartPolicy.ShouldAutoStart(global, worker, active));

    [Fact]
    public async Task SiloStart_WithGlobalAutoStart_StartsEligibleCodeDeclaredWorkers()
    {
        await using var c = await WorkersCluster.StartAsync(
            silos: 2,
            configure: o => o.AutoStart = true,
            workers: w => w
                .AddWorker(new WorkerDefinition { Name = "auto-unset", QueueName = "q-auto-1", Processor = "test" })
                .AddWorker(new WorkerDefinition { Name = "auto-true", QueueName = "q-auto-2", Processor = "test", AutoStart = true })
                .AddWorker(new WorkerDefinition { Name = "auto-false", QueueName = "q-auto-3", Processor = "test", AutoStart = false })
                .AddWorker(new WorkerDefinition { Name = "auto-inactive", QueueName = "q-auto-4", Processor = "test", AutoStart = true, ActiveStatus = false }));

        await Eventually.Get(() => c.Worker("auto-unset").Get(), w => w?.Status == WorkerStatus.Running, "auto-unset runs");
        await Eventually.Get(() => c.Worker("auto-true").Get(), w => w?.Status == WorkerStatus.Running, "auto-true runs");
        var ack = await c.Enqueue("q-auto-1", new TestJob());
        await c.WaitForState("q-auto-1", ack.JobId, JobState.Completed);

        Assert.Equal(WorkerStatus.Stopped, (await c.Worker("auto-false").Get())!.Status);
        Assert.Equal(WorkerStatus.Stopped, (await c.Worker("auto-inactive").Get())!.Status);
        Assert.Equal(1, (await c.Worker("auto-true").Get())!.Generation);
    }

    [Fact]
    public async Task SiloStart_WithoutGlobalAutoStart_StartsNothing()
    {
        await using var c = await WorkersCluster.StartAsync(
            silos: 1,
            workers: w => w.AddWorker(new WorkerDefinition { Name = "auto-off", QueueName = "q-auto-off", Processor = "test", AutoStart = true }));

        var info = await Eventually.Get(() => c.Worker("auto-off").Get(), w => w is not null, "the code-declared worker is registered");

        Assert.Equal(WorkerStatus.Stopped, info!.Status);
    }
}

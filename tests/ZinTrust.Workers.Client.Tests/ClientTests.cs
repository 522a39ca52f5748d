using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.TestingHost;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

public sealed class ClientTests
{
    public sealed record Greeting(string Name);

    [Fact]
    public async Task WorkerManager_AndTypedQueue_DriveAWorkerEndToEnd()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.UseInMemoryReminderService().AddZinTrustWorkers(w =>
            w.AddProcessor<Greeting>("greeter", (g, ctx) => Task.FromResult<object?>(new { text = $"hello {g.Name}", ctx.Attempt }))));
        await using var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        var services = new ServiceCollection().AddSingleton(cluster.Client).AddZinTrustWorkersClientServices().BuildServiceProvider();
        var workers = services.GetRequiredService<IWorkerManager>();
        var queues = services.GetRequiredService<IJobQueueFactory>();
        var ct = TestContext.Current.CancellationToken;

        await workers.CreateAsync(new WorkerDefinition { Name = "greeter", QueueName = "greetings", Processor = "greeter" }, ct);
        var started = await workers.StartAsync("greeter", ct);
        var queue = queues.Get<Greeting>("greetings");
        var ack = await queue.EnqueueAsync(new Greeting("Ada"), new JobEnqueueOptions { Priority = JobPriority.High, IdempotencyKey = "ada" }, ct);
        var again = await queue.EnqueueAsync(new Greeting("Ada"), new JobEnqueueOptions { IdempotencyKey = "ada" }, ct);

        Assert.Equal(WorkerStatus.Running, started.Status);
        Assert.Equal(ack.JobId, again.JobId);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JobRecord? job;
        while ((job = await queue.GetAsync(ack.JobId, ct))?.State != JobState.Completed)
        {
            Assert.True(DateTime.UtcNow < deadline, $"job did not complete: {job}");
            await Task.Delay(20, ct);
        }

        Assert.Contains("hello Ada", job.Result, StringComparison.Ordinal);
        Assert.Contains(await workers.ListAsync(cancellationToken: ct), w => w.Name == "greeter" && w.Status == WorkerStatus.Running);
        Assert.Equal(WorkerStatus.Stopped, (await workers.StopAsync("greeter", ct)).Status);
        var invalid = await Assert.ThrowsAsync<WorkersException>(() => workers.GetAsync("no", ct));
        Assert.Equal(WorkersErrorCodes.InvalidWorkerName, invalid.Code);
    }
}

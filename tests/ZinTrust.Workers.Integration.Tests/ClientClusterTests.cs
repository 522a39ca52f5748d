using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Client;

namespace ZinTrust.Workers.Integration.Tests;

public sealed class ClientClusterTests
{
    [Fact]
    public async Task Client_JoinsThroughTheMembershipTable_AndDrivesAWorker()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct);
        await cluster.StartAsync(0, ct);
        await cluster.StartAsync(1, ct);

        var builder = Host.CreateApplicationBuilder();
        builder.AddZinTrustWorkersClient(clustering: c => c.UseZinTrustPostgresMembership(cluster.MembershipConnectionString));
        using var host = builder.Build();
        await host.StartAsync(ct);
        var workers = host.Services.GetRequiredService<IWorkerManager>();
        var queue = host.Services.GetRequiredService<IJobQueueFactory>().Get<JsonElement>("client-q");

        await workers.CreateAsync(new WorkerDefinition { Name = "client-w", QueueName = "client-q", Processor = "echo" }, ct);
        await workers.StartAsync("client-w", ct);
        var ack = await queue.EnqueueAsync(JsonDocument.Parse("{\"hello\":\"cluster\"}").RootElement, cancellationToken: ct);
        await Eventually.True(async () => (await queue.GetAsync(ack.JobId, ct))?.State == JobState.Completed, "the job completes", TimeSpan.FromSeconds(90));

        Assert.Contains(await workers.ListAsync(cancellationToken: ct), w => w.Name == "client-w");
        Assert.Equal("{\"hello\":\"cluster\"}", (await queue.GetAsync(ack.JobId, ct))!.Result);
        await host.StopAsync(ct);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

/// <summary>
/// One 2-silo cluster shared by the client tests (each test uses its own workers and queues), with a "gated"
/// processor the tests release, a "greeter", and enqueue faults injected on the cluster's client.
/// </summary>
public sealed class ClientCluster : IAsyncLifetime
{
    private WorkersCluster? cluster;

    public WorkersCluster Cluster => cluster ?? throw new InvalidOperationException("Cluster not started.");

    public Gates Gates { get; } = new();

    public EnqueueFaults Faults { get; } = new();

    public async ValueTask InitializeAsync() => cluster = await WorkersCluster.StartAsync(
        workers: w => w
            .AddProcessor<GatedJob>("gated", async (job, ctx) => new GatedResult(await Gates[job.Key].PassAsync(ctx.CancellationToken), ctx.Attempt))
            .AddProcessor<ClientTests.Greeting>("greeter", (g, ctx) => Task.FromResult<object?>(new { text = $"hello {g.Name}", ctx.Attempt })),
        client: c => c.AddOutgoingGrainCallFilter(Faults.Apply));

    /// <summary>The client services over the cluster's client; enqueue retries wait 1–5 ms in tests.</summary>
    public ServiceProvider Services(Action<WorkersClientOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection().AddSingleton(Cluster.Client);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddZinTrustWorkersClientServices(o =>
        {
            o.EnqueueRetry.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.EnqueueRetry.MaxDelay = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Creates and starts a worker running <paramref name="processor"/> on <paramref name="queue"/>.</summary>
    public async Task StartWorker(string name, string queue, string processor, JobOptions? jobOptions = null)
    {
        await using var services = Services();
        var workers = services.GetRequiredService<IWorkerManager>();
        var ct = TestContext.Current.CancellationToken;
        await workers.CreateAsync(new WorkerDefinition { Name = name, QueueName = queue, Processor = processor, JobOptions = jobOptions ?? new JobOptions() }, ct);
        await workers.StartAsync(name, ct);
    }

    public async Task<int> Watchers(string queue) => (await Cluster.Queue(queue).GetStats()).Watchers;

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(nameof(ClientClusterCollection))]
public sealed class ClientClusterCollection : ICollectionFixture<ClientCluster>;

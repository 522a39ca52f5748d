using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Client;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Server;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>One silo in this process, on the Redis job store (or in memory), with the probe wired in.</summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost host;
    private readonly string? redis;
    private readonly string prefix;

    private readonly OtlpSink? sink;

    private BenchSilo(IHost host, Probe probe, string? redis, string prefix, OtlpSink? sink)
    {
        this.host = host;
        this.sink = sink;
        Probe = probe;
        this.redis = redis;
        this.prefix = prefix;
    }

    public Probe Probe { get; }

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public string Store => redis is null ? "memory" : "redis";

    /// <summary>OTLP exports received, when traced.</summary>
    public (long Requests, long Bytes)? Exported => sink is null ? null : (sink.Requests, sink.Bytes);

    public static async Task<BenchSilo> StartAsync(string? redis, CancellationToken cancellationToken, bool tracing = false, bool dashboard = false, bool encryption = false)
    {
        var probe = new Probe();
        var prefix = $"zt-bench-{Guid.NewGuid():N}";
        // Ports the OS says are free now: a fixed range inside Linux's ephemeral range (32768-60999) can meet an
        // outgoing connection's port when other test projects run beside this one.
        int siloPort = FreePort(), gatewayPort = FreePort();
        // Content root = the build output, not the working directory: the configuration file watcher watches its root
        // recursively, and run from the repository that holds Redis's append-only file, which it would wake on every write.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.Configure<ClusterOptions>(o => o.ClusterId = prefix);
            silo.UseInMemoryReminderService();
            silo.AddIncomingGrainCallFilter(async context =>
            {
                if (context.InterfaceMethod?.DeclaringType == typeof(IQueueGrain))
                {
                    probe.CountQueueCall(context.InterfaceMethod.Name);
                }

                await context.Invoke();
                if (context.InterfaceMethod?.Name == nameof(IQueueGrain.Report) && context.Result is IReadOnlyList<AckStatus> statuses)
                {
                    probe.Completions((IReadOnlyList<JobOutcome>)context.Request.GetArgument(1)!, statuses);
                }
            });
            silo.AddZinTrustWorkers(w => w.AddProcessor("bench", probe.Process));
            if (tracing)
            {
                silo.AddActivityPropagation();
            }

            if (dashboard)
            {
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
            }

            if (redis is not null)
            {
                silo.AddZinTrustRedisJobStore(o =>
                {
                    o.Configuration = redis;
                    o.KeyPrefix = prefix;
                });
            }

            if (encryption)
            {
                silo.AddZinTrustPayloadEncryption(ZinTrust.Workers.Grains.EncryptionKeyRing.Create("bench", TimeProvider.System));
            }
        });
        // One attempt and no generated idempotency key, so the enqueue figures measure what they measured before
        // the client retried (a generated key adds ~40 bytes per job and an index entry while the job is retained).
        builder.Services.AddZinTrustWorkersClientServices(o => o.EnqueueRetry.MaxAttempts = 1);
        OtlpSink? sink = null;
        if (tracing)
        {
            sink = await OtlpSink.StartAsync(FreePort(), cancellationToken);
            builder.Services.AddZinTrustTelemetry(new HostSettings { OpenTelemetryEnabled = true, OpenTelemetryEndpoint = sink.Endpoint, SiloPort = siloPort });
        }

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new BenchSilo(host, probe, redis, prefix, sink);
    }

    public IJobQueue<object> Queue(string name) => host.Services.GetRequiredService<IJobQueueFactory>().Get<object>(name);

    public async Task<IWorkerGrain> StartWorker(string name, string queue, int concurrency, int retain, Func<JobOptions, JobOptions>? limits = null)
    {
        var worker = await CreateWorker(name, queue, concurrency, retain, limits);
        await worker.Start();
        return worker;
    }

    /// <summary>Defines a worker of the no-op processor without starting it.</summary>
    public async Task<IWorkerGrain> CreateWorker(string name, string queue, int concurrency, int retain, Func<JobOptions, JobOptions>? limits = null)
    {
        var options = new JobOptions { RetainCompleted = retain, Attempts = 1 };
        var worker = Client.GetGrain<IWorkerGrain>(name);
        await worker.Create(new WorkerDefinition
        {
            Name = name,
            QueueName = queue,
            Processor = "bench",
            Concurrency = concurrency,
            JobOptions = limits?.Invoke(options) ?? options,
        });
        return worker;
    }

    public static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Redis server: bytes used and CPU seconds so far.</summary>
    public Task<(long UsedMemory, double CpuSeconds)> RedisInfoAsync() => redis is null ? Task.FromResult((0L, 0d)) : RedisInfoAsync(redis);

    /// <summary>The Redis server at <paramref name="configuration"/>: bytes used and CPU seconds so far (user + system).</summary>
    public static async Task<(long UsedMemory, double CpuSeconds)> RedisInfoAsync(string configuration)
    {
        await using var mux = await AdminAsync(configuration);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        var info = (await server.InfoAsync()).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        double cpu = double.Parse(info["used_cpu_sys"], System.Globalization.CultureInfo.InvariantCulture)
            + double.Parse(info["used_cpu_user"], System.Globalization.CultureInfo.InvariantCulture);
        return (long.Parse(info["used_memory"], System.Globalization.CultureInfo.InvariantCulture), cpu);
    }

    private static Task<ConnectionMultiplexer> AdminAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AllowAdmin = true;
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            host.Dispose();
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }

            if (redis is not null)
            {
                // Leave nothing behind: delete every key of this run.
                await using var mux = await AdminAsync(redis);
                var server = mux.GetServer(mux.GetEndPoints()[0]);
                var db = mux.GetDatabase();
                await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
                {
                    await db.KeyDeleteAsync(key);
                }
            }
        }
    }

    /// <summary>A port the OS says is free now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

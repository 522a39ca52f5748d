using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// A 2-silo cluster whose silos register the same plugins: "early" (order -10, registered last), "alpha" and "beta"
/// (order 0, in that order) and "switchable" (order 5) record every hook; "thrower" throws for workers named
/// plug-throw*, "hanger" hangs for workers named plug-hang*. Hooks time out after 300 ms; silos re-read the switches
/// every 200 ms. The "journaled" processor records its runs into the same journal as plugin "processor".
/// </summary>
public sealed class PluginCluster : IAsyncLifetime
{
    public static readonly TimeSpan HookTimeout = TimeSpan.FromMilliseconds(300);

    private WorkersCluster? cluster;

    public HookJournal Journal { get; } = new();

    public WorkersCluster Cluster => cluster ?? throw new InvalidOperationException("Cluster not started.");

    public async ValueTask InitializeAsync() => cluster = await WorkersCluster.StartAsync(silos: 2, workers: w => w
        .AddProcessor("journaled", ctx => RunJournaled(ctx, Journal))
        .AddHealthCheck("plug-health", _ => Task.FromResult(new HealthCheckOutcome(true, "fine")))
        .AddHealthCheck("plug-throw", _ => Task.FromResult(HealthCheckOutcome.Ok))
        .AddPlugin(new ThrowingPlugin("thrower", "plug-throw"), order: -1)
        .AddPlugin(new HangingPlugin("hanger", "plug-hang"), order: -1)
        .AddPlugin(new RecordingPlugin("alpha", Journal))
        .AddPlugin(new RecordingPlugin("beta", Journal))
        .AddPlugin(new RecordingPlugin("switchable", Journal), order: 5)
        .AddPlugin(new RecordingPlugin("early", Journal), order: -10)
        .ConfigurePlugins(o =>
        {
            o.HookTimeout = HookTimeout;
            o.RefreshInterval = TimeSpan.FromMilliseconds(200);
        }));

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Records the run, then does what the <see cref="TestJob"/> payload says (sleep, fail the first attempts, poison).</summary>
    public static async Task<object?> RunJournaled(JobContext context, HookJournal journal)
    {
        journal.Add("processor", "run", context.JobId, null);
        var job = context.GetPayload<TestJob>() ?? new TestJob();
        if (job.SleepMs > 0)
        {
            await Task.Delay(job.SleepMs, context.CancellationToken);
        }

        if (job.Unrecoverable)
        {
            throw new UnrecoverableJobException("poison payload");
        }

        if (context.Attempt <= job.FailTimes)
        {
            throw new InvalidOperationException($"planned failure of attempt {context.Attempt}");
        }

        return null;
    }
}

[CollectionDefinition(nameof(PluginClusterCollection))]
public sealed class PluginClusterCollection : ICollectionFixture<PluginCluster>;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// An in-process cluster with ZinTrust workers, a shared job store, state store and reminder table (so they
/// outlive any one silo, as a real Redis would), the "test" processor writing to a ledger, and optionally a fake clock.
/// More processors, health checks and plugins are registered on every silo through <c>workers</c>.
/// </summary>
public sealed class WorkersCluster : IAsyncDisposable
{
    private WorkersCluster(InProcessTestCluster cluster, RecordingJobStore store, InProcessStateStore state, InProcessReminderTable reminders, ExecutionLedger ledger, FakeTimeProvider? clock, CallCounter calls, CallFaults faults)
    {
        Faults = faults;
        State = state;
        Reminders = reminders;
        Calls = calls;
        Cluster = cluster;
        Store = store;
        Ledger = ledger;
        Clock = clock;
    }

    public InProcessTestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    public RecordingJobStore Store { get; }

    /// <summary>Grain state (worker definitions): pass it to a new cluster to model durable grain storage.</summary>
    public InProcessStateStore State { get; }

    /// <summary>Reminders of every silo, surviving silo stops and kills.</summary>
    public InProcessReminderTable Reminders { get; }

    public ExecutionLedger Ledger { get; }

    public FakeTimeProvider? Clock { get; }

    /// <summary>Grain calls received by the silos, by interface method name.</summary>
    public CallCounter Calls { get; }

    /// <summary>Grain calls the silos refuse, by interface method name.</summary>
    public CallFaults Faults { get; }

    public static async Task<WorkersCluster> StartAsync(
        int silos = 2,
        bool fakeClock = false,
        Action<WorkersOptions>? configure = null,
        Action<WorkersBuilder>? workers = null,
        RecordingJobStore? store = null,
        InProcessStateStore? state = null,
        Action<IClientBuilder>? client = null,
        InProcessReminderTable? reminders = null,
        Action<string, ISiloBuilder>? silo = null)
    {
        store ??= new RecordingJobStore();
        state ??= new InProcessStateStore();
        reminders ??= new InProcessReminderTable();
        var ledger = new ExecutionLedger();
        var clock = fakeClock ? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) : null;
        var calls = new CallCounter();
        var faults = new CallFaults();
        var configureSilo = silo;
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((options, silo) =>
        {
            var siloName = options.SiloName;
            silo.Services.AddSingleton<IJobStore>(store);
            silo.Services.AddSingleton(state);
            silo.AddReminders();
            silo.Services.AddSingleton<IReminderTable>(reminders);
            silo.Configure<ReminderOptions>(o =>
            {
                o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                o.RefreshReminderListPeriod = TimeSpan.FromSeconds(1);
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(15));
            silo.AddIncomingGrainCallFilter(context =>
            {
                calls.Add(context.InterfaceMethod?.Name);
                faults.Check(context.InterfaceMethod?.Name);
                return context.Invoke();
            });
            silo.AddZinTrustWorkers(w =>
            {
                w.AddProcessor("test", ctx => ledger.RunAsync(ctx, siloName));
                w.AddProcessor("echo", ctx => Task.FromResult<object?>(System.Text.Json.JsonDocument.Parse(ctx.Payload).RootElement.Clone()));
                w.Configure(o =>
                {
                    o.SupervisionInterval = TimeSpan.FromSeconds(1);
                    o.IdlePollInterval = TimeSpan.FromSeconds(2);
                    o.TimeoutGrace = TimeSpan.FromMilliseconds(500);
                    o.ShutdownDrainTimeout = TimeSpan.FromSeconds(1);
                    o.HealthCheckInterval = TimeSpan.FromSeconds(1);
                    configure?.Invoke(o);
                });
                workers?.Invoke(w);
            });
            if (clock is not null)
            {
                silo.Services.AddKeyedSingleton<TimeProvider>(WorkersClock.Key, clock);
            }

            configureSilo?.Invoke(siloName, silo);
        });
        if (client is not null)
        {
            builder.ConfigureClient(client);
        }

        var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        return new WorkersCluster(cluster, store, state, reminders, ledger, clock, calls, faults);
    }

    public IWorkerGrain Worker(string name) => Client.GetGrain<IWorkerGrain>(name);

    public IQueueGrain Queue(string name) => Client.GetGrain<IQueueGrain>(name);

    /// <summary>Creates and starts a worker running the "test" processor (or another one registered through <c>workers</c>).</summary>
    public async Task<IWorkerGrain> StartWorker(string name, string queue, int concurrency = 5, JobOptions? jobOptions = null, int replicas = 1, TimeSpan? drain = null, string processor = "test")
    {
        var worker = Worker(name);
        await worker.Create(new WorkerDefinition
        {
            Name = name,
            QueueName = queue,
            Processor = processor,
            Concurrency = concurrency,
            Replicas = replicas,
            JobOptions = jobOptions ?? new JobOptions(),
            DrainTimeout = drain ?? TimeSpan.FromSeconds(30),
        });
        await worker.Start();
        return worker;
    }

    public Task<EnqueueResult> Enqueue(string queue, TestJob job, int? priority = null, TimeSpan? delay = null, int? attempts = null, TimeSpan? timeout = null, BackoffOptions? backoff = null, string? group = null) =>
        Queue(queue).Enqueue(new EnqueueRequest
        {
            Group = group,
            Payload = ExecutionLedger.Payload(job),
            Priority = priority,
            Delay = delay,
            Attempts = attempts,
            Timeout = timeout,
            Backoff = backoff,
        });

    public Task<JobRecord> WaitForState(string queue, string jobId, Func<JobState, bool> done, string expectation, TimeSpan? timeout = null) =>
        Eventually.Get(async () => (await Queue(queue).GetJob(jobId))!, r => r is not null && done(r.State), expectation, timeout);

    public Task<JobRecord> WaitForState(string queue, string jobId, JobState state, TimeSpan? timeout = null) =>
        WaitForState(queue, jobId, s => s == state, $"job {jobId} reaches {state}", timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        catch (Exception)
        {
            // A silo killed by the test may refuse to stop; disposal below releases the rest.
        }

        await Cluster.DisposeAsync();
    }
}

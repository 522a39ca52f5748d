using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The cluster's resource monitor (key 0). The gate (<see cref="ResourceMonitorPolicy"/>) is evaluated on
/// activation, on an operator's start or stop, when the registry reports that a worker's request changed, and on
/// every reminder tick. While it runs, a timer on the workers clock asks every active silo's
/// <see cref="ISiloSamplerGrain"/> for a snapshot each interval; the history lives in memory, bounded per silo.
/// </summary>
/// <remarks>
/// The reminder exists whenever monitoring is allowed (the environment gate open, no operator stop). Its period
/// is a minute, too coarse for the interval, so it only brings the grain back after the silo hosting it stops
/// (re-arming the timer, as <see cref="WorkerGrain"/> does with supervision) and repairs a missed notification.
/// </remarks>
internal sealed partial class ResourceMonitorGrain : Grain, IResourceMonitorGrain, IRemindable
{
    public const int MaxQueryLimit = IResourceMonitorGrain.MaxHistoryPerQuery;
    private const string ReminderName = "resource-monitor";
    private static readonly TimeSpan StorageMeasureAge = TimeSpan.FromMinutes(1);

    private readonly IPersistentState<ResourceMonitorState> state;
    private readonly ResourceMonitorOptions options;
    private readonly CostOptions costs;
    private readonly TimeProvider clock;
    private readonly ILocalSiloDetails localSilo;
    private readonly IReadOnlyList<IStorageUsage> storage;
    private readonly ILogger<ResourceMonitorGrain> logger;
    private readonly Dictionary<string, Queue<ResourceSnapshot>> history = new(StringComparer.Ordinal);
    private ResourceMonitorGate gate = ResourceMonitorGate.NoWorkerRequestsIt;
    private IReadOnlyList<string> requesting = [];
    private IGrainReminder? reminder;
    private ITimer? timer;
    private IGrainTimer? keepAlive;
    private IResourceMonitorGrain? self;
    private (DateTimeOffset At, long? Bytes)? storageMeasure;

    public ResourceMonitorGrain(
        [PersistentState("resource-monitor", WorkersStorage.Name)] IPersistentState<ResourceMonitorState> state,
        IOptions<ResourceMonitorOptions> options,
        IOptions<CostOptions> costs,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        ILocalSiloDetails localSilo,
        IEnumerable<IStorageUsage> storage,
        ILogger<ResourceMonitorGrain> logger)
    {
        this.state = state;
        this.options = options.Value;
        this.costs = costs.Value;
        this.clock = clock;
        this.localSilo = localSilo;
        this.storage = [.. storage];
        this.logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        self = this.AsReference<IResourceMonitorGrain>();
        try
        {
            reminder = await this.GetReminder(ReminderName, cancellationToken);
            await Evaluate();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The registry or the reminder table may be unreachable for a moment (a silo joining or leaving); the
            // reminder, the next notification or the next silo start evaluates again.
            LogEvaluateFailed(logger, ex);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Disarm();
        keepAlive?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<ResourceMonitorStatus> Start()
    {
        if (!options.Enabled)
        {
            throw new WorkersException(WorkersErrorCodes.ResourceMonitoringDisabled, "Resource monitoring is disabled on this cluster (WORKER_RESOURCE_MONITORING=false).");
        }

        await SetStoppedByOperator(false);
        return Status();
    }

    public async Task<ResourceMonitorStatus> Stop()
    {
        await SetStoppedByOperator(true);
        return Status();
    }

    public Task<ResourceMonitorStatus> GetStatus() => Task.FromResult(Status());

    public Task<IReadOnlyList<ResourceSnapshot>> GetHistory(string? silo, DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        IEnumerable<ResourceSnapshot> source = silo is null
            ? history.Values.SelectMany(q => q)
            : history.TryGetValue(silo, out var one) ? one : [];
        IReadOnlyList<ResourceSnapshot> result = [.. source
            .Where(s => (from is null || s.At >= from) && (to is null || s.At <= to))
            .OrderBy(s => s.At)
            .ThenBy(s => s.Silo, StringComparer.Ordinal)
            .TakeLast(Math.Clamp(limit, 1, MaxQueryLimit))];
        return Task.FromResult(result);
    }

    public async Task<CostEstimate?> GetCosts()
    {
        if (!costs.Configured)
        {
            return null;
        }

        long? storageBytes = costs.StoragePerGbMonth > 0 ? await StorageBytes() : null;
        var since = clock.GetUtcNow() - CostOptions.Window;
        var snapshots = history.Values.SelectMany(q => q).Where(s => s.At > since);
        return CostEstimator.Estimate(snapshots, costs, storageBytes, CostOptions.Window);
    }

    public Task Reevaluate() => Evaluate();

    public Task ReceiveReminder(string reminderName, TickStatus status) => Evaluate();

    public async Task Tick()
    {
        if (gate != ResourceMonitorGate.Running)
        {
            return;
        }

        var at = clock.GetUtcNow();
        var management = GrainFactory.GetGrain<IManagementGrain>(0);
        var silos = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        var activations = Activations(management, silos);
        var snapshots = await Task.WhenAll(silos.Select(Sample));
        var counts = await activations;
        foreach (var snapshot in snapshots)
        {
            if (snapshot is not null)
            {
                Record(snapshot with { At = at, Activations = counts.GetValueOrDefault(snapshot.Silo) });
            }
        }

        Trim(at);
    }

    private async Task SetStoppedByOperator(bool stopped)
    {
        if (state.State.StoppedByOperator != stopped || state.State.ChangedAt is null)
        {
            state.State.StoppedByOperator = stopped;
            state.State.ChangedAt = clock.GetUtcNow();
            await state.WriteStateAsync();
            LogOperator(logger, stopped ? "stopped" : "started");
        }

        await Evaluate();
    }

    /// <summary>Reads which workers ask for monitoring, applies the gate, and arms or disarms the timer and the reminder.</summary>
    private async Task Evaluate()
    {
        requesting = options.Enabled
            ? [.. (await GrainFactory.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false)).Where(ResourceMonitorPolicy.Requests).Select(w => w.Name)]
            : [];
        var next = ResourceMonitorPolicy.Decide(options.Enabled, requesting.Count > 0, state.State.StoppedByOperator);
        if (next != gate)
        {
            LogGate(logger, next);
        }

        gate = next;
        if (gate == ResourceMonitorGate.Running)
        {
            Arm();
        }
        else
        {
            Disarm();
        }

        bool allowed = options.Enabled && !state.State.StoppedByOperator;
        if (allowed && reminder is null)
        {
            reminder = await this.RegisterOrUpdateReminder(ReminderName, options.ReminderPeriod, options.ReminderPeriod);
        }
        else if (!allowed && reminder is not null)
        {
            await this.UnregisterReminder(reminder);
            reminder = null;
        }
    }

    private void Arm()
    {
        if (timer is not null)
        {
            return;
        }

        // One snapshot at once, then one per interval. The timer runs on the workers clock (faked in tests) and
        // re-enters the grain through a call, so every snapshot is taken in a grain turn. It does not keep the
        // grain active; the keep-alive timer does, as the history lives in this activation.
        timer = clock.CreateTimer(static s => ((ResourceMonitorGrain)s!).OnTimer(), this, options.Interval, options.Interval);
        keepAlive ??= this.RegisterGrainTimer(
            static (g, _) => g.KeepHistory(),
            this,
            new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
        OnTimer();
    }

    /// <summary>Stops the snapshots. The keep-alive timer stays until the history has aged out (a stop keeps it).</summary>
    private void Disarm()
    {
        timer?.Dispose();
        timer = null;
    }

    private Task KeepHistory()
    {
        Trim(clock.GetUtcNow());
        if (timer is null && history.Count == 0)
        {
            keepAlive?.Dispose();
            keepAlive = null;
        }

        return Task.CompletedTask;
    }

    private void OnTimer() =>
        self?.Tick().ContinueWith(
            static (t, s) => LogTickFailed(((ResourceMonitorGrain)s!).logger, t.Exception!.GetBaseException()),
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);

    private async Task<ResourceSnapshot?> Sample(SiloAddress silo)
    {
        try
        {
            return await GrainFactory.GetGrain<ISiloSamplerGrain>(silo.ToParsableString()).TakeSnapshot(options.Interval);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The silo is leaving or unreachable: skip it this round.
            LogSampleFailed(logger, silo.ToString(), ex);
            return null;
        }
    }

    private async Task<IReadOnlyDictionary<string, int>> Activations(IManagementGrain management, SiloAddress[] silos)
    {
        try
        {
            var statistics = await management.GetRuntimeStatistics(silos);
            return silos.Zip(statistics).ToDictionary(p => p.First.ToString(), p => p.Second.ActivationCount, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSampleFailed(logger, "(runtime statistics)", ex);
            return new Dictionary<string, int>();
        }
    }

    /// <summary>What the storage backends hold (measured at most once a minute); null when none can tell.</summary>
    private async Task<long?> StorageBytes()
    {
        var now = clock.GetUtcNow();
        if (storage.Count == 0)
        {
            return null;
        }

        if (storageMeasure is { } last && now - last.At < StorageMeasureAge)
        {
            return last.Bytes;
        }

        long? total = null;
        foreach (var backend in storage)
        {
            try
            {
                total = (total ?? 0) + await backend.GetBytesAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStorageFailed(logger, backend.Name, ex);
            }
        }

        storageMeasure = (now, total);
        return total;
    }

    private void Record(ResourceSnapshot snapshot)
    {
        if (!history.TryGetValue(snapshot.Silo, out var queue))
        {
            history[snapshot.Silo] = queue = new Queue<ResourceSnapshot>();
        }

        queue.Enqueue(snapshot);
        while (queue.Count > options.HistoryLimit)
        {
            queue.Dequeue();
        }

        LogSnapshot(logger, snapshot.CpuPercent, snapshot.MemoryPercent, snapshot.Silo);
    }

    /// <summary>Drops snapshots older than the cost window (a day), and silos left with none.</summary>
    private void Trim(DateTimeOffset now)
    {
        var oldest = now - CostOptions.Window;
        foreach (var (silo, queue) in history.ToArray())
        {
            while (queue.Count > 0 && queue.Peek().At < oldest)
            {
                queue.Dequeue();
            }

            if (queue.Count == 0)
            {
                history.Remove(silo);
            }
        }
    }

    private ResourceMonitorStatus Status()
    {
        var latest = history.Values.Select(q => q.Last()).OrderBy(s => s.Silo, StringComparer.Ordinal).ToArray();
        return new ResourceMonitorStatus
        {
            Gate = gate,
            EnvironmentEnabled = options.Enabled,
            StoppedByOperator = state.State.StoppedByOperator,
            RequestingWorkers = requesting,
            Interval = options.Interval,
            Host = localSilo.SiloAddress.ToString(),
            LastSnapshotAt = latest.Length == 0 ? null : latest.Max(s => s.At),
            Latest = latest,
            HistoryLimit = options.HistoryLimit,
            ChangedAt = state.State.ChangedAt,
        };
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A worker's control plane: its definition and status (persisted), its replicas (supervised), its entry in
/// the registry. Lifecycle calls are serialised by the grain; reads interleave (see <see cref="IWorkerGrain"/>).
/// </summary>
internal sealed partial class WorkerGrain : Grain, IWorkerGrain, IRemindable
{
    public const int MaxVersions = 50;
    public const int MaxSamples = 1440;
    private const string SupervisionReminder = "supervise";

    private readonly IPersistentState<WorkerGrainState> state;
    private readonly IPersistentState<WorkerMetricsState> metrics;
    private readonly WorkersOptions options;
    private readonly TimeProvider clock;
    private readonly PluginHost plugins;
    private readonly RegionDirectory regions;
    private readonly string silo;
    private readonly IAuditLog audit;
    private readonly HealthProbe probe;
    private readonly ILogger<WorkerGrain> logger;
    private WorkerHealth health = new();
    private IGrainTimer? supervision;
    private IGrainTimer? sampling;
    private readonly Queue<WorkerMonitoringSample> history = new();
    private readonly Queue<DateTimeOffset> healthRestarts = new();
    private WorkerHealthScore? score;
    private TimeSpan? latencyBaseline;
    private (long Completed, long Failed, long DurationTicks, long Stalls) lastTotals;
    private int criticalStreak;

    public WorkerGrain(
        [PersistentState("worker", WorkersStorage.Name)] IPersistentState<WorkerGrainState> state,
        [PersistentState("metrics", WorkersStorage.Name)] IPersistentState<WorkerMetricsState> metrics,
        IOptions<WorkersOptions> options,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        PluginHost plugins,
        RegionDirectory regions,
        ILocalSiloDetails silo,
        IAuditLog audit,
        HealthProbe probe,
        ILogger<WorkerGrain> logger)
    {
        this.audit = audit;
        this.probe = probe;
        this.regions = regions;
        this.state = state;
        this.metrics = metrics;
        this.options = options.Value;
        this.clock = clock;
        this.plugins = plugins;
        this.silo = silo.SiloAddress.ToString();
        this.logger = logger;
    }

    private string Name => this.GetPrimaryKeyString();

    private WorkerGrainState S => state.State;

    private bool Exists => S.Definition is not null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        switch (S.Status)
        {
            case WorkerStatus.Running or WorkerStatus.Starting when Exists:
                // Activated after a move or a crash: finish a rolling update it was in, bring the replicas back (they may have
                // died with a silo).
                ArmSupervision();
                await ResumeRollout();
                await SuperviseCore(forceWrite: S.Status == WorkerStatus.Starting);
                break;
            case WorkerStatus.Draining when Exists:
                // A stop was interrupted: finish it.
                await StopReplicas(TimeSpan.Zero, Math.Max(S.RunningReplicas, S.Definition!.Replicas));
                await SetStatus(WorkerStatus.Stopped);
                break;
            case WorkerStatus.Failed when Exists && S.RunningReplicas > 0:
                await FinishFailing();   // failed on its health check, then lost with its silo before the replicas were stopped
                break;
        }
    }

    public async Task<WorkerInfo> Create(WorkerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Exists)
        {
            throw new WorkersException(WorkersErrorCodes.WorkerExists, $"Worker '{Name}' already exists.");
        }

        if (!string.Equals(definition.Name, Name, StringComparison.Ordinal))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidWorkerName, $"The definition names '{definition.Name}' but this is worker '{Name}'.");
        }

        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(definition));
        await EnsureHealthCheckRegistered(definition.HealthCheck);
        await EnsurePartitionsFit(definition);
        await PlaceNew(definition);
        var now = clock.GetUtcNow();
        state.State = new WorkerGrainState
        {
            Region = definition.Failover?.PrimaryRegion ?? definition.Placement?.Region,
            Definition = definition,
            Status = WorkerStatus.Stopped,
            CreatedAt = now,
            UpdatedAt = now,
            Versions = [new WorkerVersionRecord { Version = definition.Version, Definition = definition, RecordedAt = now, Reason = "created" }],
            Registered = [VersionOf(definition, now, "created with the worker")],
        };
        await state.WriteStateAsync();
        await Index();
        await SetPolicies(definition);
        LogCreated(logger, Name, definition.QueueName);
        if (definition.Failover is not null)
        {
            Failover().Watch().Ignore();
        }

        if (options.Enabled && AutoStartPolicy.ShouldAutoStart(options.AutoStart, definition.AutoStart, definition.ActiveStatus, definition.PersistenceDriver, options.PersistenceDriver))
        {
            try
            {
                await StartCore();
            }
            catch (WorkersException)
            {
                // The worker exists; its status (failed) and last error tell why it did not start.
            }
        }

        return Info();
    }

    public async Task<WorkerInfo> Register(WorkerDefinition definition) => Exists ? Info() : await Create(definition);

    public async Task<WorkerInfo> Update(WorkerUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        EnsureExists();
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(update));
        var old = S.Definition!;
        var next = old with
        {
            QueueName = update.QueueName ?? old.QueueName,
            Version = update.Version ?? old.Version,
            Concurrency = update.Concurrency ?? old.Concurrency,
            Processor = update.ProcessorSpec is null ? update.Processor ?? old.Processor : null,   // a spec replaces a registered name
            ProcessorSpec = update.Processor is null ? update.ProcessorSpec ?? old.ProcessorSpec : null,   // and a name replaces a spec
            AutoStart = update.ClearAutoStart ? null : update.AutoStart ?? old.AutoStart,
            ActiveStatus = update.ActiveStatus ?? old.ActiveStatus,
            JobOptions = update.JobOptions ?? old.JobOptions,
            Features = update.Features ?? old.Features,
            Replicas = update.Replicas ?? old.Replicas,
            DrainTimeout = update.DrainTimeout ?? old.DrainTimeout,
            PersistenceDriver = update.PersistenceDriver ?? old.PersistenceDriver,
            CircuitBreaker = update.CircuitBreaker ?? old.CircuitBreaker,
            HealthPolicy = update.HealthPolicy ?? old.HealthPolicy,
            AutoScaling = update.AutoScaling ?? old.AutoScaling,
            Region = update.Region ?? old.Region,
            Queues = update.Queues switch { null => old.Queues, { Count: 0 } => null, var queues => queues },
            HealthCheck = update.ClearHealthCheck ? null : update.HealthCheck ?? old.HealthCheck,
        };
        if (WorkerValidation.CheckQueues(next.Queues, next.QueueName) is { } queuesError)
        {
            throw queuesError.ToException();   // a new queue name outside the worker's queues, or queues without it
        }

        await EnsureFeaturesApply(next, update.HealthCheck);
        if (next.JobOptions.Partitions != old.JobOptions.Partitions || !next.ConsumedQueues.SequenceEqual(old.ConsumedQueues))
        {
            await EnsurePartitionsFit(next);
        }

        S.Definition = next;
        S.UpdatedAt = clock.GetUtcNow();
        if (next.Version != old.Version)
        {
            RecordHistory(next, "updated");
            if (RegisteredVersion(next.Version) is null)
            {
                AddRegistered(VersionOf(next, S.UpdatedAt, "registered by an update of the worker"));
            }
        }

        await state.WriteStateAsync();
        await Index();
        bool queuesChanged = next.QueueName != old.QueueName || !next.ConsumedQueues.SequenceEqual(old.ConsumedQueues);
        if (next.JobOptions != old.JobOptions || queuesChanged || next.Feature(WorkerFeatures.DeadLetterQueue) != old.Feature(WorkerFeatures.DeadLetterQueue))
        {
            await SetPolicies(next);
        }

        bool live = S.Status is WorkerStatus.Running or WorkerStatus.Starting;
        if (live && !next.ActiveStatus)
        {
            await StopCore();
        }
        else if (live && (queuesChanged || next.CircuitBreakerEnabled != old.CircuitBreakerEnabled || ReplicaSettingsChanged(old, next)))
        {
            // Replicas are bound to their queues, a circuit, their health check and the flags they apply: a change is a restart.
            ResetHealth();
            await StopCore();
            await StartCore();
        }
        else if (live && (next.ProcessorName != old.ProcessorName || next.ProcessorSpec != old.ProcessorSpec || next.Version != old.Version))
        {
            // A new processor or version: a rolling update, one replica at a time (it rolls back, and throws, if one fails to start).
            await RollReplicas(from: old);
            if (next.Replicas != old.Replicas)
            {
                await SuperviseCore(forceWrite: false);
            }
        }
        else if (live)
        {
            if (next.CircuitBreakerEnabled && next.CircuitBreaker != old.CircuitBreaker)
            {
                await ConfigureCircuit(next);
                await state.WriteStateAsync();
                await ApplyConcurrency(next);
            }

            if (next.Concurrency != old.Concurrency)
            {
                // Applied to running replicas in place: no restart, no job interrupted.
                await ApplyConcurrency(next);
            }

            if (next.Replicas != old.Replicas)
            {
                await SuperviseCore(forceWrite: false);
            }
        }

        LogUpdated(logger, Name);
        return Info();
    }

    public async Task Delete()
    {
        EnsureExists();
        await StopCore();
        await UnregisterReminder();
        await state.ClearStateAsync();
        state.State = new WorkerGrainState();
        await ClearMetrics();
        await Registry().Remove(Name);
        DisarmSupervision();
        LogDeleted(logger, Name);
        this.DeactivateOnIdle();
    }

    public Task<WorkerInfo?> Get() => Task.FromResult(Exists ? Info() : null);

    public async Task<WorkerInfo> Start()
    {
        EnsureExists();
        if (!S.Definition!.ActiveStatus)
        {
            throw new WorkersException(WorkersErrorCodes.WorkerInactive, $"Worker '{Name}' is inactive (activeStatus: false); activate it before starting it.");
        }

        if (!options.Enabled)
        {
            throw new WorkersException(WorkersErrorCodes.WorkersDisabled, "The worker system is disabled on this cluster (WORKERS_ENABLED=false).");
        }

        if (S.Status != WorkerStatus.Running)
        {
            await StartCore();
        }

        return Info();
    }

    public async Task<WorkerInfo> Stop()
    {
        EnsureExists();
        await StopCore();
        return Info();
    }

    public async Task<WorkerInfo> Restart()
    {
        EnsureExists();
        await StopCore();
        return await Start();
    }

    public Task<WorkerInfo> Pause() => SetPaused(true);

    public Task<WorkerInfo> Resume() => SetPaused(false);

    public Task<IReadOnlyList<WorkerVersionRecord>> GetVersions()
    {
        EnsureExists();
        return Task.FromResult<IReadOnlyList<WorkerVersionRecord>>([.. S.Versions]);
    }

    public Task<WorkerHealthScore?> GetHealthScore() =>
        Task.FromResult(Exists && S.Status is WorkerStatus.Running or WorkerStatus.Starting ? score : null);

    public Task<IReadOnlyList<WorkerMonitoringSample>> GetMonitoringHistory(DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        EnsureExists();
        IReadOnlyList<WorkerMonitoringSample> samples = [.. history
            .Where(s => (from is null || s.At >= from) && (to is null || s.At <= to))
            .TakeLast(Math.Clamp(limit, 1, MaxSamples))];
        return Task.FromResult(samples);
    }

    public async Task<WorkerStatusReport> GetStatus()
    {
        EnsureExists();
        var definition = S.Definition!;
        var queueStats = QueuePartitions.Of(GrainFactory).GetStatsAsync(definition.QueueName);
        IReadOnlyList<ReplicaStatus> replicas = [];
        if (S.Status is WorkerStatus.Running or WorkerStatus.Starting or WorkerStatus.Draining)
        {
            var stable = Task.WhenAll(Enumerable.Range(0, definition.Replicas).Select(i => Replica(i).GetStatus()));
            replicas = [.. await stable, .. await CanaryStatuses()];
        }

        long completed = replicas.Sum(r => r.Completed);
        long failed = replicas.Sum(r => r.Failed);
        long runs = completed + failed;
        return new WorkerStatusReport
        {
            Worker = Info(),
            Replicas = replicas,
            Queue = await queueStats,
            Completed = completed,
            Failed = failed,
            InFlight = replicas.Sum(r => r.InFlight),
            AverageDuration = runs == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(replicas.Sum(r => r.TotalDuration.Ticks) / runs),
            HealthScore = S.Status is WorkerStatus.Running or WorkerStatus.Starting ? score : null,
            DurationBuckets = DurationHistogram.Merge(replicas.Select(r => r.DurationBuckets)),
        };
    }

    public Task Supervise() => SuperviseCore(forceWrite: false);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Exists && S.Status is WorkerStatus.Running or WorkerStatus.Starting)
        {
            ArmSupervision();
            await SuperviseCore(forceWrite: false);
        }
        else
        {
            await UnregisterReminder();
        }
    }

    private async Task<WorkerInfo> SetPaused(bool paused)
    {
        EnsureExists();
        if (S.Paused != paused)
        {
            S.Paused = paused;
            S.UpdatedAt = clock.GetUtcNow();
            await state.WriteStateAsync();
            if (S.Status is WorkerStatus.Running or WorkerStatus.Starting)
            {
                // Concurrency 0 stops leasing without stopping replicas: in-flight jobs finish and report as usual.
                await ApplyConcurrency(S.Definition!);
            }

            LogPaused(logger, Name, paused);
        }

        return Info();
    }

    private async Task StartCore()
    {
        var definition = S.Definition!;
        S.Generation++;
        S.LastError = null;
        S.Failure = null;
        ForgetFailures();
        FinishRolloutByRestart();
        await SetStatus(WorkerStatus.Starting);
        await ConfigureCircuit(definition);
        try
        {
            var replicas = await Task.WhenAll(Enumerable.Range(0, definition.Replicas).Select(i => Replica(i).Start(Spec(definition, i))))
                .WaitAsync(options.ConnectionTimeout);
            replicaSilos.Clear();
            for (int i = 0; i < replicas.Length; i++)
            {
                TrackReplica(i, replicas[i].Silo);
            }
        }
        catch (Exception ex)
        {
            var code = ex is WorkersException { Code: var raised } && (raised == WorkersErrorCodes.ProcessorNotFound || raised.StartsWith("PROCESSOR_SPEC_", StringComparison.Ordinal)) ? raised : WorkersErrorCodes.WorkerStartFailed;
            // Our own errors say what went wrong in words fit for an operator; anything else stays in the log.
            var message = ex switch
            {
                TimeoutException => $"Worker '{Name}' did not start within WORKER_CONNECTION_TIMEOUT ({options.ConnectionTimeout.TotalMilliseconds:0} ms).",
                WorkersException known => $"Worker '{Name}' failed to start: {known.Message}",
                _ => $"Worker '{Name}' failed to start: a replica could not be started ({WorkersErrorCodes.WorkerStartFailed}); the silo log has the details.",
            };
            LogStartFailed(logger, Name, ex);
            await StopReplicas(TimeSpan.Zero, definition.Replicas);
            S.LastError = message;
            S.Failure = new WorkerFailure { Code = code, Reason = message, At = clock.GetUtcNow() };
            S.RunningReplicas = 0;
            await SetStatus(WorkerStatus.Failed);
            throw new WorkersException(code, message);
        }

        S.StartedAt = clock.GetUtcNow();
        S.RunningReplicas = definition.Replicas;
        await SetStatus(WorkerStatus.Running);
        await SuperviseCanary();
        ArmSupervision();

        // Durable backstop: the reminder re-activates this grain (and so its replicas) wherever the cluster
        // stands, even if every silo that knew the worker died.
        await this.RegisterOrUpdateReminder(SupervisionReminder, options.SupervisionReminderPeriod, options.SupervisionReminderPeriod);
        LogStarted(logger, Name, definition.Replicas, S.Generation);
        PublishToPlugins(WorkerEvent(), static (p, c) => p.NotifyWorkerStartedAsync(c));
    }

    private async Task StopCore()
    {
        if (S.Status is WorkerStatus.Stopped)
        {
            return;
        }

        DisarmSupervision();
        await UnregisterReminder();
        if (S.Status is WorkerStatus.Failed)
        {
            S.Failure = null;
            await SetStatus(WorkerStatus.Stopped);
            return;
        }

        await SetStatus(WorkerStatus.Draining);
        await Task.WhenAll(
            StopReplicas(S.Definition!.DrainTimeout, Math.Max(S.RunningReplicas, S.Definition.Replicas)),
            StopCanaryReplicas(from: 0));
        S.RunningReplicas = 0;
        await SetStatus(WorkerStatus.Stopped);
        LogStopped(logger, Name);
        PublishToPlugins(WorkerEvent(), static (p, c) => p.NotifyWorkerStoppedAsync(c));
    }

    private async Task SuperviseCore(bool forceWrite)
    {
        if (!Exists || S.Status is not (WorkerStatus.Running or WorkerStatus.Starting))
        {
            return;
        }

        var definition = S.Definition!;
        var starts = Enumerable.Range(0, definition.Replicas).Select(async i =>
        {
            try
            {
                var status = await Replica(i).Start(Spec(DefinitionOf(i, definition), i));
                TrackReplica(i, status.Silo);
            }
            catch (Exception ex)
            {
                LogSuperviseFailed(logger, Name, i, ex);
            }
        });
        await Task.WhenAll(starts);
        await SuperviseCanary();

        if (S.RunningReplicas > definition.Replicas)
        {
            await StopReplicas(definition.DrainTimeout, S.RunningReplicas, from: definition.Replicas);
        }

        if (forceWrite || S.RunningReplicas != definition.Replicas || S.Status != WorkerStatus.Running)
        {
            S.RunningReplicas = definition.Replicas;
            await SetStatus(WorkerStatus.Running);
        }

        if (definition.Failover is { AutoFailover: true })
        {
            // The failover grain's timer may have died with its silo: supervision (every silo's, each interval) re-arms it.
            Failover().Watch().Ignore();
        }
    }

    private async Task StopReplicas(TimeSpan drain, int count, int from = 0)
    {
        ForgetReplicas(from);
        await Task.WhenAll(Enumerable.Range(from, Math.Max(0, count - from)).Select(async i =>
        {
            try
            {
                CountStopped(await Replica(i).Stop(drain));
            }
            catch (Exception ex)
            {
                LogReplicaStopFailed(logger, Name, i, ex);
            }
        }));
        await SaveMetrics();   // the stopped replicas' last runs, counted just now
    }

    private async Task SetStatus(WorkerStatus status)
    {
        S.Status = status;
        S.UpdatedAt = clock.GetUtcNow();
        await state.WriteStateAsync();
        await Index();
    }

    private void ArmSupervision()
    {
        ArmSampling();
        ArmMetrics();
        supervision ??= this.RegisterGrainTimer(
            static (g, _) => g.SuperviseCore(forceWrite: false),
            this,
            new GrainTimerCreationOptions(options.SupervisionInterval, options.SupervisionInterval) { KeepAlive = true });
    }

    private async Task UnregisterReminder()
    {
        if (await this.GetReminder(SupervisionReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void DisarmSupervision()
    {
        supervision?.Dispose();
        supervision = null;
        DisarmSampling();
        DisarmMetrics();
    }

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw new WorkersException(WorkersErrorCodes.WorkerNotFound, $"Worker '{Name}' was not found.");
        }
    }

    private ReplicaSpec Spec(WorkerDefinition definition, int replica) => new ReplicaSpec
    {
        WorkerName = Name,
        QueueName = definition.QueueName,
        Queues = definition.Queues,
        Partitions = definition.JobOptions.Partitions,
        ProcessorName = definition.ProcessorName,
        ProcessorSpec = definition.ProcessorSpec,
        Concurrency = EffectiveConcurrency(definition, replica),
        Generation = S.Generation,
        Circuit = definition.CircuitBreakerEnabled ? CircuitNames.Worker(Name) : null,
        Version = definition.Version,
    }.WithChecksAndFlags(definition, DeclaredCheck(definition));

    private WorkerInfo Info() => new()
    {
        Definition = S.Definition!,
        Status = S.Status,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        StartedAt = S.StartedAt,
        LastError = S.LastError,
        Health = health,
        Generation = S.Generation,
        Paused = S.Paused,
        PlacedIn = S.Region,
        MonitoringStopped = S.MonitoringStopped,
        Failure = S.Failure,
    };

    private IWorkerReplicaGrain Replica(int index) => GrainFactory.GetGrain<IWorkerReplicaGrain>(new ReplicaKey(Name, index, null, S.Region).ToString());

    private IWorkerRegistryGrain Registry() => GrainFactory.GetGrain<IWorkerRegistryGrain>(0);
}

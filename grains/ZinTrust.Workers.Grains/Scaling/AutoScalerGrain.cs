using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

[GenerateSerializer, Alias("zt.AutoScalerState")]
public sealed class AutoScalerState
{
    [Id(0)] public Dictionary<string, WorkerScalingState> Workers { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public DateTimeOffset? LastRunAt { get; set; }
}

[GenerateSerializer, Alias("zt.WorkerScalingState")]
public sealed class WorkerScalingState
{
    [Id(0)] public DateTimeOffset? OverrideUntil { get; set; }
    [Id(1)] public DateTimeOffset? LastChangeAt { get; set; }
    [Id(2)] public List<ScalingDecision> Decisions { get; set; } = [];
}

/// <summary>See <see cref="IAutoScalerGrain"/>. Decisions and overrides are persisted; throughput is measured between evaluations.</summary>
internal sealed partial class AutoScalerGrain : Grain, IAutoScalerGrain, IRemindable
{
    public const int MaxDecisions = 50;
    private const string Reminder = "autoscale";

    private readonly IPersistentState<AutoScalerState> state;
    private readonly WorkersOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<AutoScalerGrain> logger;
    private readonly PluginHost plugins;
    private readonly ILocalSiloDetails silo;
    private readonly Dictionary<string, (long Finished, DateTimeOffset At)> lastCounts = new(StringComparer.Ordinal);
    private ITimer? timer;
    private IAutoScalerGrain? self;
    private int evaluations;

    public AutoScalerGrain(
        [PersistentState("autoscaler", WorkersStorage.Name)] IPersistentState<AutoScalerState> state,
        IOptions<WorkersOptions> options,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        ILogger<AutoScalerGrain> logger,
        PluginHost plugins,
        ILocalSiloDetails silo)
    {
        this.silo = silo;
        this.plugins = plugins;
        this.state = state;
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        self = this.AsReference<IAutoScalerGrain>();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        timer?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<AutoScalerStatus> Ensure()
    {
        if (options.AutoScalingEnabled)
        {
            timer ??= clock.CreateTimer(static s => ((AutoScalerGrain)s!).OnTimer(), this, options.AutoScalingInterval, options.AutoScalingInterval);

            // The durable backstop: wherever this grain lands after a silo dies, the reminder brings it back.
            var period = options.AutoScalingInterval < options.AutoScalingReminderPeriod ? options.AutoScalingReminderPeriod : options.AutoScalingInterval;
            await this.RegisterOrUpdateReminder(Reminder, period, period);
        }
        else if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        return Status();
    }

    public Task<AutoScalerStatus> GetStatus() => Task.FromResult(Status());

    public Task ReceiveReminder(string reminderName, TickStatus status) => Ensure();

    public async Task<IReadOnlyList<ScalingDecision>> Evaluate()
    {
        if (!options.AutoScalingEnabled)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        evaluations++;
        var entries = (await GrainFactory.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false))
            .Where(e => e.Status == WorkerStatus.Running)
            .ToArray();
        var decisions = new List<ScalingDecision>();
        double? cpu = null;
        foreach (var entry in entries)
        {
            var worker = GrainFactory.GetGrain<IWorkerGrain>(entry.Name);
            if (await worker.Get() is not { } info || !info.Definition.AutoScalingEnabled)
            {
                continue;
            }

            cpu ??= await ClusterCpu();
            var scaling = Scaling(entry.Name);
            if (scaling.OverrideUntil is { } until && now < until)
            {
                decisions.Add(Record(scaling, new ScalingDecision
                {
                    Worker = entry.Name, At = now, From = info.Definition.Replicas, To = info.Definition.Replicas,
                    Reason = $"manual override until {until:u}", CpuPercent = cpu.Value,
                }));
                continue;
            }

            // A multi-queue worker's backlog and throughput are those of all its queues.
            var queues = await Task.WhenAll(info.Definition.ConsumedQueues.Select(q => QueuePartitions.Of(GrainFactory).GetStatsAsync(q.Name)));
            var throughput = queues.Sum(q => Throughput(q.Queue, q.Counters, now));
            var waiting = queues.Sum(q => q.Waiting);
            var (target, reason) = ScalingRules.Decide(new ScalingInputs(
                info.Definition.Replicas,
                info.Definition.AutoScaling,
                waiting,
                throughput,
                cpu.Value,
                options.AutoScalingCpuCeiling,
                now,
                scaling.LastChangeAt,
                options.AutoScalingInterval,
                OffPeak(now),
                options.OffPeakReduction));
            var decision = new ScalingDecision
            {
                Worker = entry.Name, At = now, From = info.Definition.Replicas, To = target, Reason = reason,
                Waiting = waiting, Throughput = Math.Round(throughput, 2), CpuPercent = Math.Round(cpu.Value, 1),
            };
            if (target != info.Definition.Replicas)
            {
                decision = await Apply(worker, scaling, decision, now);
            }

            decisions.Add(Record(scaling, decision));
        }

        state.State.LastRunAt = now;
        await state.WriteStateAsync();
        return decisions;
    }

    public Task<WorkerScaling> GetScaling(string worker)
    {
        var known = state.State.Workers.TryGetValue(worker, out var s) ? s : new WorkerScalingState();
        return Task.FromResult(View(worker, known, enabled: options.AutoScalingEnabled));
    }

    public async Task<ScalingDecision> ScaleManually(string worker, int replicas, TimeSpan hold)
    {
        if (replicas is < 1 or > WorkerValidation.MaxReplicas)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidConcurrency, $"Replicas must be between 1 and {WorkerValidation.MaxReplicas}.");
        }

        if (hold < TimeSpan.Zero || hold > TimeSpan.FromDays(7))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidScaling, "The hold must be between 0 and 7 days.");
        }

        var grain = GrainFactory.GetGrain<IWorkerGrain>(worker);
        var info = await grain.Get() ?? throw new WorkersException(WorkersErrorCodes.WorkerNotFound, $"Worker '{worker}' was not found.");
        var now = clock.GetUtcNow();
        var scaling = Scaling(worker);
        scaling.OverrideUntil = hold > TimeSpan.Zero ? now + hold : null;
        var decision = new ScalingDecision
        {
            Worker = worker, At = now, From = info.Definition.Replicas, To = replicas, Source = "manual",
            Reason = hold > TimeSpan.Zero ? $"set by an operator; the auto-scaler holds off until {now + hold:u}" : "set by an operator",
        };
        decision = info.Definition.Replicas == replicas ? decision : await Apply(grain, scaling, decision, now);
        Record(scaling, decision);
        await state.WriteStateAsync();
        return decision;
    }

    public async Task<WorkerScaling> ClearOverride(string worker)
    {
        var scaling = Scaling(worker);
        scaling.OverrideUntil = null;
        await state.WriteStateAsync();
        return View(worker, scaling, options.AutoScalingEnabled);
    }

    private async Task<ScalingDecision> Apply(IWorkerGrain worker, WorkerScalingState scaling, ScalingDecision decision, DateTimeOffset now)
    {
        try
        {
            await worker.Update(new WorkerUpdate { Replicas = decision.To });
            scaling.LastChangeAt = now;
            LogScaled(logger, decision.Worker, decision.From, decision.To, decision.Reason);
            if (plugins.HasPlugins)
            {
                // Off the grain's turn; the host isolates and bounds every hook.
                var context = new PluginScaleContext { WorkerName = decision.Worker, FromReplicas = decision.From, ToReplicas = decision.To, Reason = decision.Reason, At = now };
                _ = Task.Run(() => plugins.NotifyScaleAsync(context).AsTask());
            }

            return decision with { Applied = true };
        }
        catch (WorkersException ex)
        {
            LogScaleFailed(logger, decision.Worker, decision.To, ex);
            return decision with { To = decision.From, Reason = $"{decision.Reason}; not applied: {ex.Message}" };
        }
    }

    private double Throughput(string queue, QueueCounters counters, DateTimeOffset now)
    {
        long finished = counters.Completed + counters.DeadLettered + counters.Retried;
        double rate = 0;
        if (lastCounts.TryGetValue(queue, out var last) && finished >= last.Finished && now > last.At)
        {
            rate = (finished - last.Finished) / (now - last.At).TotalSeconds;
        }

        lastCounts[queue] = (finished, now);
        return rate;
    }

    private async Task<double> ClusterCpu()
    {
        var stats = await ClusterStatistics.ActiveSilosAsync(GrainFactory);
        return stats.Count == 0 ? 0 : stats.Average(s => (double)s.EnvironmentStatistics.FilteredCpuUsagePercentage);
    }

    private bool OffPeak(DateTimeOffset now) =>
        options.OffPeakScaling
        && ScalingRules.TryParseWindow(options.OffPeakSchedule, out var start, out var end)
        && ScalingRules.InWindow(now, start, end);

    private WorkerScalingState Scaling(string worker)
    {
        if (!state.State.Workers.TryGetValue(worker, out var scaling))
        {
            state.State.Workers[worker] = scaling = new WorkerScalingState();
        }

        return scaling;
    }

    private static ScalingDecision Record(WorkerScalingState scaling, ScalingDecision decision)
    {
        scaling.Decisions.Add(decision);
        if (scaling.Decisions.Count > MaxDecisions)
        {
            scaling.Decisions.RemoveRange(0, scaling.Decisions.Count - MaxDecisions);
        }

        return decision;
    }

    private static WorkerScaling View(string worker, WorkerScalingState s, bool enabled) => new()
    {
        Worker = worker,
        Enabled = enabled,
        OverrideUntil = s.OverrideUntil,
        LastChangeAt = s.LastChangeAt,
        Decisions = [.. s.Decisions],
    };

    private AutoScalerStatus Status() => new()
    {
        Enabled = options.AutoScalingEnabled,
        Interval = options.AutoScalingInterval,
        LastRunAt = state.State.LastRunAt,
        OffPeakScaling = options.OffPeakScaling,
        OffPeakSchedule = options.OffPeakSchedule,
        OffPeakReduction = options.OffPeakReduction,
        OffPeakNow = OffPeak(clock.GetUtcNow()),
        Evaluations = evaluations,
        Host = silo.SiloAddress.ToString(),
    };

    private void OnTimer() => self?.Evaluate().ContinueWith(
        static (t, s) => LogEvaluateFailed(((AutoScalerGrain)s!).logger, t.Exception!.GetBaseException()),
        this,
        CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted,
        TaskScheduler.Default);

    [LoggerMessage(7100, LogLevel.Information, "Auto-scaler: worker {Worker} {From} -> {To} replicas ({Reason})")]
    private static partial void LogScaled(ILogger logger, string worker, int from, int to, string reason);

    [LoggerMessage(7101, LogLevel.Warning, "Auto-scaler: scaling worker {Worker} to {To} replicas failed")]
    private static partial void LogScaleFailed(ILogger logger, string worker, int to, Exception exception);

    [LoggerMessage(7102, LogLevel.Warning, "Auto-scaler: an evaluation failed")]
    private static partial void LogEvaluateFailed(ILogger logger, Exception exception);
}

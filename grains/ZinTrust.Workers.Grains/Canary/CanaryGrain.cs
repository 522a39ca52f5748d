using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A worker's canary deployment. It runs the new version on a replica set of its own beside the stable one, splits the queue's
/// jobs between them by job id, and on every evaluation compares the two (error rate, p95 run time, a health score over the
/// canary's window): it moves traffic step by step, completes at 100 % (the stable replicas roll to the new version), and rolls
/// back on its own when the canary's health falls below the rollback threshold or its error rate exceeds the stable version's
/// by more than the margin. State is persisted after every decision; a durable reminder re-activates the grain wherever the
/// cluster stands, and a timer evaluates between reminders.
/// </summary>
internal sealed partial class CanaryGrain : Grain, ICanaryGrain, IRemindable
{
    public const int MaxDecisions = 100;
    private const string Reminder = "canary";
    private static readonly double[] DefaultSteps = [10, 25, 50, 100];
    private static readonly TimeSpan LatencyFloor = TimeSpan.FromMilliseconds(10);

    private readonly IPersistentState<CanaryGrainState> state;
    private readonly WorkersOptions options;
    private readonly TimeProvider clock;
    private readonly PluginHost plugins;
    private readonly IAuditLog audit;
    private readonly ILogger<CanaryGrain> logger;
    private readonly string silo;
    private readonly Dictionary<string, ReplicaStatus> lastSeen = new(StringComparer.Ordinal);
    private bool baselineTaken;
    private IGrainTimer? timer;
    private Task pluginEvents = Task.CompletedTask;

    public CanaryGrain(
        [PersistentState("canary", WorkersStorage.Name)] IPersistentState<CanaryGrainState> state,
        IOptions<WorkersOptions> options,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        PluginHost plugins,
        ILocalSiloDetails silo,
        IAuditLog audit,
        ILogger<CanaryGrain> logger)
    {
        this.audit = audit;
        this.silo = silo.SiloAddress.ToString();
        this.state = state;
        this.options = options.Value;
        this.clock = clock;
        this.plugins = plugins;
        this.logger = logger;
    }

    private string WorkerName => this.GetPrimaryKeyString();

    private CanaryGrainState S => state.State;

    private bool Active => S.Request is not null && S.State is CanaryState.Running or CanaryState.Paused;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Active)
        {
            // Moved or restarted: evaluate again from here (counters restart with this activation).
            ArmTimer();
        }

        return Task.CompletedTask;
    }

    public async Task<CanaryStatus> Start(CanaryRequest request, string? by)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Active)
        {
            throw new WorkersException(WorkersErrorCodes.CanaryActive, $"Worker '{WorkerName}' already has a canary of version {S.Request!.NewVersion}; complete or roll it back first.");
        }

        var steps = Validate(request);
        var worker = Worker();
        var info = await worker.Get() ?? throw new WorkersException(WorkersErrorCodes.WorkerNotFound, $"Worker '{WorkerName}' was not found.");
        var versions = await worker.ListVersions();
        if (!versions.Versions.Any(v => v.Version == request.NewVersion))
        {
            throw new WorkersException(WorkersErrorCodes.VersionNotFound, $"Worker '{WorkerName}' has no version {request.NewVersion}; register it first (POST /api/workers/{WorkerName}/versions).");
        }

        if (versions.Active == request.NewVersion)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidCanary, $"Version {request.NewVersion} is already the active version of worker '{WorkerName}'.");
        }

        var now = clock.GetUtcNow();
        var previous = state.State;
        state.State = new CanaryGrainState
        {
            Request = request,
            StableVersion = versions.Active,
            State = CanaryState.Running,
            Steps = steps,
            StartedAt = now,
            NextStepAt = now + (request.Duration / steps.Count),
        };
        lastSeen.Clear();
        baselineTaken = false;

        // The canary's replicas first (they check that every silo can run the version), then its share of the jobs.
        try
        {
            await worker.SetCanary(request.NewVersion, CanaryReplicas(info.Definition.Replicas, steps[0]));
            await SetSplit(info.Definition, Split());
        }
        catch
        {
            state.State = previous;   // nothing started: the last canary (if any) stays what the grain reports
            await worker.SetCanary(null, 0);
            throw;
        }

        Decide("started", 0, steps[0], $"canary of {request.NewVersion} against {versions.Active}", by);
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(Reminder, options.SupervisionReminderPeriod, options.SupervisionReminderPeriod);
        ArmTimer();
        Publish(static (p, c) => p.NotifyCanaryStepAsync(c), 0, steps[0], "started");
        return Status();
    }

    public async Task<CanaryStatus> Pause(string? by)
    {
        EnsureActive();
        if (S.State == CanaryState.Running)
        {
            S.State = CanaryState.Paused;
            S.RemainingWhenPaused = Max(TimeSpan.Zero, S.NextStepAt - clock.GetUtcNow());
            Decide("paused", Percent, Percent, "paused by an operator; traffic stays where it is", by);
            await state.WriteStateAsync();
        }

        return Status();
    }

    public async Task<CanaryStatus> Resume(string? by)
    {
        EnsureActive();
        if (S.State == CanaryState.Paused)
        {
            S.State = CanaryState.Running;
            S.NextStepAt = clock.GetUtcNow() + S.RemainingWhenPaused;
            Decide("resumed", Percent, Percent, "resumed by an operator", by);
            await state.WriteStateAsync();
            ArmTimer();
        }

        return Status();
    }

    public async Task<CanaryStatus> Rollback(string? by)
    {
        EnsureActive();
        await RollBack("rolled back by an operator", by);
        return Status();
    }

    public async Task<CanaryStatus> Complete(string? by)
    {
        EnsureActive();
        await Promote("completed by an operator", by);
        return Status();
    }

    public Task<CanaryStatus?> GetStatus() => Task.FromResult(S.Request is null ? null : Status());

    public async Task<CanaryStatus?> Evaluate()
    {
        if (S.Request is null)
        {
            return null;
        }

        if (Active)
        {
            await EvaluateCore();
        }

        return Status();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Active)
        {
            if (await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        ArmTimer();
        await EvaluateCore();
    }

    private async Task EvaluateCore()
    {
        if (S.State != CanaryState.Running && S.State != CanaryState.Paused)
        {
            return;
        }

        var worker = Worker();
        var info = await worker.Get();
        if (info is null)
        {
            await End(CanaryState.RolledBack, "the worker was deleted", by: null, notify: static (p, c) => p.NotifyCanaryRollbackAsync(c));
            return;
        }

        if (info.Definition.Version == S.Request!.NewVersion)
        {
            // An operator activated the canary's version directly: the canary is done.
            await SetSplit(info.Definition, null);
            await worker.SetCanary(null, 0);
            await End(CanaryState.Completed, "its version was activated directly", by: null, static (p, c) => p.NotifyCanaryCompleteAsync(c), toPercent: 100);
            return;
        }

        if (info.Status is not (WorkerStatus.Running or WorkerStatus.Starting))
        {
            return;   // nothing runs, nothing to compare: the canary waits for the worker
        }

        // The split lives in the queue grain's memory: re-assert it (a queue grain that moved has lost it).
        await SetSplit(info.Definition, Split());
        Count(await worker.GetStatus());
        if (S.State == CanaryState.Paused)
        {
            await state.WriteStateAsync();
            return;
        }

        var stable = Stats(S.StableVersion, null);
        var canary = Stats(S.Request!.NewVersion, stable.Average);
        long canaryRuns = canary.Completed + canary.Failed;
        if (S.Request.AutoRollback && canaryRuns >= S.Request.MinimumSamples)
        {
            if (canary.Health < S.Request.RollbackThreshold)
            {
                await RollBack($"the canary's health {canary.Health} fell below the rollback threshold {S.Request.RollbackThreshold}", by: null);
                return;
            }

            if ((canary.ErrorRate - stable.ErrorRate) * 100 > S.Request.ErrorMargin)
            {
                await RollBack(
                    FormattableString.Invariant($"the canary's error rate {canary.ErrorRate:P1} exceeds the stable version's {stable.ErrorRate:P1} by more than {S.Request.ErrorMargin} points"),
                    by: null);
                return;
            }
        }

        var now = clock.GetUtcNow();
        if (now < S.NextStepAt)
        {
            await state.WriteStateAsync();
            return;
        }

        double from = Percent;
        double to = S.Steps[Math.Min(S.Step + 1, S.Steps.Count - 1)];
        if (to >= 100)
        {
            if (canary.Health < S.Request.SuccessThreshold)
            {
                // Held at this step: the canary must reach the success threshold before it takes everything.
                if (S.Decisions.Count == 0 || S.Decisions[^1].Action != "held")
                {
                    Decide("held", from, from, $"the canary's health {canary.Health} is below the success threshold {S.Request.SuccessThreshold}", by: null);
                }

                await state.WriteStateAsync();
                return;
            }

            await Promote($"reached 100 % with health {canary.Health}", by: null);
            return;
        }

        S.Step++;
        S.NextStepAt = now + StepLength();
        await worker.SetCanary(S.Request.NewVersion, CanaryReplicas(info.Definition.Replicas, to));
        await SetSplit(info.Definition, Split());
        Decide("step", from, to, $"step {S.Step + 1} of {S.Steps.Count}; health {canary.Health}, error rate {canary.ErrorRate:P1} against {stable.ErrorRate:P1}", by: null);
        await state.WriteStateAsync();
        LogStep(logger, WorkerName, from, to);
        Publish(static (p, c) => p.NotifyCanaryStepAsync(c), from, to, "step");
    }

    /// <summary>All traffic to the canary, the stable replicas rolled to its version, then the canary's own replicas stopped.</summary>
    private async Task Promote(string reason, string? by)
    {
        var worker = Worker();
        var info = await worker.Get() ?? throw new WorkersException(WorkersErrorCodes.WorkerNotFound, $"Worker '{WorkerName}' was not found.");
        await SetSplit(info.Definition, new TrafficSplit { CanaryVersion = S.Request!.NewVersion, Percent = 100 });
        try
        {
            await worker.ActivateVersion(S.Request.NewVersion);
        }
        catch (WorkersException ex)
        {
            await RollBack($"completing failed ({ex.Code}): {ex.Message}", by);
            return;
        }

        await SetSplit(info.Definition, null);
        await worker.SetCanary(null, 0);
        await End(CanaryState.Completed, reason, by, static (p, c) => p.NotifyCanaryCompleteAsync(c), toPercent: 100);
    }

    private async Task RollBack(string reason, string? by)
    {
        var worker = Worker();
        if (await worker.Get() is { } info)
        {
            await SetSplit(info.Definition, null);
            await worker.SetCanary(null, 0);
        }

        LogRolledBack(logger, WorkerName, S.Request!.NewVersion, reason);
        await End(CanaryState.RolledBack, reason, by, static (p, c) => p.NotifyCanaryRollbackAsync(c), toPercent: 0);
    }

    private async Task End(CanaryState end, string reason, string? by, Func<PluginHost, PluginCanaryContext, ValueTask> notify, double toPercent = 0)
    {
        double from = Percent;
        S.State = end;
        S.FinishedAt = clock.GetUtcNow();
        Decide(end == CanaryState.Completed ? "completed" : "rolledBack", from, toPercent, reason, by);
        await state.WriteStateAsync();
        if (by is null)
        {
            // The canary's own decision (an operator's complete or rollback is recorded by the API).
            var action = end == CanaryState.Completed ? "workers.canary.complete" : "workers.canary.rollback";
            SystemDecisions.Record(audit, SystemDecisions.Entry(action, WorkerName, S.FinishedAt!.Value, reason));
        }

        timer?.Dispose();
        timer = null;
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        Publish(notify, from, toPercent, reason);
    }

    /// <summary>Adds what each replica finished since it was last seen to its version's totals. The first look after an
    /// activation only takes the baseline (replicas' counters are cumulative, and what came before was counted then).</summary>
    private void Count(WorkerStatusReport report)
    {
        foreach (var replica in report.Replicas)
        {
            if (replica.Version is not { } version)
            {
                continue;
            }

            lastSeen.TryGetValue(replica.ReplicaId, out var before);
            lastSeen[replica.ReplicaId] = replica;
            if (!baselineTaken)
            {
                continue;
            }

            // A replica whose counters went down restarted: all it has is new.
            bool restarted = before is null || replica.Completed < before.Completed || replica.Failed < before.Failed || before.Version != version;
            var since = restarted ? null : before;
            if (!S.Totals.TryGetValue(version, out var totals))
            {
                S.Totals[version] = totals = new CanaryTotals();
            }

            totals.Completed += replica.Completed - (since?.Completed ?? 0);
            totals.Failed += replica.Failed - (since?.Failed ?? 0);
            totals.DurationTicks += replica.TotalDuration.Ticks - (since?.TotalDuration.Ticks ?? 0);
            if (replica.DurationBuckets is { } buckets)
            {
                var previous = since?.DurationBuckets;
                var delta = buckets.Select((b, i) => b - (previous is not null && i < previous.Length ? previous[i] : 0)).ToArray();
                totals.Buckets = DurationHistogram.Merge([totals.Buckets, delta]);
            }
        }

        baselineTaken = true;
    }

    /// <summary>One version's figures. The canary's health measures its run time against the stable version's, but never
    /// against less than <see cref="LatencyFloor"/>: differences in jobs that take microseconds are noise, not regressions.</summary>
    private CanaryVersionStats Stats(string version, TimeSpan? baseline)
    {
        if (baseline is { } stableAverage && stableAverage < LatencyFloor)
        {
            baseline = LatencyFloor;
        }

        var totals = S.Totals.GetValueOrDefault(version) ?? new CanaryTotals();
        long runs = totals.Completed + totals.Failed;
        TimeSpan? average = runs == 0 ? null : TimeSpan.FromTicks(totals.DurationTicks / runs);
        var health = HealthScore.Compute(new HealthInputs(totals.Completed, totals.Failed, average ?? TimeSpan.Zero, baseline, null, CircuitState.Closed, 0), clock.GetUtcNow());
        return new CanaryVersionStats
        {
            Version = version,
            Completed = totals.Completed,
            Failed = totals.Failed,
            ErrorRate = runs == 0 ? 0 : (double)totals.Failed / runs,
            P95 = totals.Buckets.Length == 0 ? null : DurationHistogram.Percentile(totals.Buckets, 0.95),
            Average = average,
            Health = health.Score,
        };
    }

    private CanaryStatus Status()
    {
        var stable = Stats(S.StableVersion, null);
        return new CanaryStatus
        {
            Worker = WorkerName,
            StableVersion = S.StableVersion,
            CanaryVersion = S.Request!.NewVersion,
            State = S.State,
            TrafficPercentage = Active ? Percent : S.State == CanaryState.Completed ? 100 : 0,
            Step = S.Step,
            Steps = [.. S.Steps],
            StartedAt = S.StartedAt,
            NextStepAt = S.State == CanaryState.Running ? S.NextStepAt : null,
            FinishedAt = S.FinishedAt,
            Stable = stable,
            Canary = Stats(S.Request.NewVersion, stable.Average),
            Decisions = [.. S.Decisions],
            Request = S.Request,
            Silo = silo,
        };
    }

    private double Percent => S.Steps.Count == 0 ? 0 : S.Steps[S.Step];

    private TrafficSplit? Split() => Active ? new TrafficSplit { CanaryVersion = S.Request!.NewVersion, Percent = Percent } : null;

    private TimeSpan StepLength() => S.Request!.Duration / Math.Max(1, S.Steps.Count);

    /// <summary>The canary's replicas for a share: that share of the stable count, rounded up, at least one.</summary>
    private static int CanaryReplicas(int stableReplicas, double percent) => Math.Clamp((int)Math.Ceiling(stableReplicas * percent / 100), 1, Math.Max(1, stableReplicas));

    private void Decide(string action, double from, double to, string reason, string? by)
    {
        S.Decisions.Add(new CanaryDecision { At = clock.GetUtcNow(), Action = action, FromPercent = from, ToPercent = to, Reason = reason, By = by });
        if (S.Decisions.Count > MaxDecisions)
        {
            S.Decisions.RemoveRange(0, S.Decisions.Count - MaxDecisions);
        }
    }

    private void ArmTimer()
    {
        var interval = S.Request!.EvaluationInterval ?? Min(TimeSpan.FromSeconds(15), StepLength());
        timer ??= this.RegisterGrainTimer(
            static (g, _) => g.EvaluateCore(),
            this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true });
    }

    private void Publish(Func<PluginHost, PluginCanaryContext, ValueTask> notify, double from, double to, string reason)
    {
        if (!plugins.HasPlugins)
        {
            return;
        }

        var context = new PluginCanaryContext
        {
            WorkerName = WorkerName,
            StableVersion = S.StableVersion,
            CanaryVersion = S.Request!.NewVersion,
            FromPercent = from,
            ToPercent = to,
            Reason = reason,
            Health = Stats(S.Request.NewVersion, Stats(S.StableVersion, null).Average).Health,
            At = clock.GetUtcNow(),
        };
        pluginEvents = pluginEvents.ContinueWith(_ => notify(plugins, context).AsTask(), TaskScheduler.Default).Unwrap();
    }

    private void EnsureActive()
    {
        if (S.Request is null)
        {
            throw new WorkersException(WorkersErrorCodes.CanaryNotFound, $"Worker '{WorkerName}' has no canary.");
        }

        if (!Active)
        {
            throw new WorkersException(WorkersErrorCodes.CanaryNotRunning, $"The canary of worker '{WorkerName}' has ended ({S.State}).");
        }
    }

    /// <summary>The steps the request asks for, checked: increasing, in (0, 100], ending at 100.</summary>
    internal static List<double> Validate(CanaryRequest request)
    {
        if (!WorkerValidation.IsValidVersion(request.NewVersion))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidVersion, "newVersion must look like x.y.z (for example 2.0.0).");
        }

        List<double> steps = [.. request.Steps ?? DefaultSteps];
        if (request.TrafficPercentage is { } first)
        {
            if (first is <= 0 or > 100 || double.IsNaN(first))
            {
                throw Invalid("trafficPercentage must be more than 0 and at most 100.");
            }

            if (request.Steps is null)
            {
                steps = [first, .. DefaultSteps.Where(s => s > first)];
            }
            else if (steps.Count == 0 || steps[0] != first)
            {
                throw Invalid("trafficPercentage must be the first of steps when both are given.");
            }
        }

        if (steps.Count == 0 || steps.Any(s => s is <= 0 or > 100 || double.IsNaN(s)) || steps.Zip(steps.Skip(1)).Any(p => p.First >= p.Second) || steps[^1] != 100)
        {
            throw Invalid("steps must increase, each more than 0 and at most 100, and end at 100.");
        }

        if (request.Duration < TimeSpan.FromSeconds(1) || request.Duration > TimeSpan.FromDays(30))
        {
            throw Invalid("duration must be between 1 second and 30 days.");
        }

        if (request.SuccessThreshold is < 0 or > 100 || request.RollbackThreshold is < 0 or > 100)
        {
            throw Invalid("successThreshold and rollbackThreshold are health scores, 0..100.");
        }

        if (request.ErrorMargin is < 0 or > 100 || double.IsNaN(request.ErrorMargin) || request.MinimumSamples is < 1 or > 1_000_000)
        {
            throw Invalid("errorMargin must be 0..100 percentage points and minimumSamples 1..1000000.");
        }

        if (request.EvaluationInterval is { } every && (every < TimeSpan.FromMilliseconds(100) || every > TimeSpan.FromHours(1)))
        {
            throw Invalid("evaluationInterval must be between 100 ms and 1 hour.");
        }

        return steps;

        static WorkersException Invalid(string message) => new(WorkersErrorCodes.InvalidCanary, message);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private IWorkerGrain Worker() => GrainFactory.GetGrain<IWorkerGrain>(WorkerName);

    /// <summary>The traffic split on every queue the worker consumes (on each of a queue's partitions).</summary>
    private Task SetSplit(WorkerDefinition definition, TrafficSplit? split) =>
        Task.WhenAll(definition.ConsumedQueues.Select(q => QueuePartitions.Of(GrainFactory).SetSplitAsync(q.Name, split)));

    [LoggerMessage(3100, LogLevel.Information, "Canary of worker {Worker}: traffic {From}% -> {To}%")]
    private static partial void LogStep(ILogger logger, string worker, double from, double to);

    [LoggerMessage(3101, LogLevel.Warning, "Canary of worker {Worker}: version {Version} rolled back: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, string worker, string version, string reason);
}

using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The worker's own health checks and its failure transition, for the worker grain and for tests under a fake clock.</summary>
[Alias("zt.IWorkerHealthChecks")]
internal interface IWorkerHealthChecks : IGrainWithStringKey
{
    /// <summary>Runs the worker's declared HTTP or TCP check once now, as its timer does every interval, and counts the outcome;
    /// null when the worker runs no such check now (stopped, not monitored, a registered check, one already running).</summary>
    // Interleaves: a probe waits on the network for up to its timeout, which must not hold up the worker's other calls.
    [AlwaysInterleave, Alias("CheckNow")]
    Task<WorkerHealth?> CheckNow();

    /// <summary>Marks the worker failed (its replicas stopped) after its declared check failed its threshold's times in a row;
    /// queued by the counting, which runs in interleaved turns. Nothing happens if the worker restarted since.</summary>
    [Alias("FailOnHealth")]
    Task FailOnHealth(long generation, string reason);
}

/// <summary>
/// Failure detection (the original's "Worker Failure Behavior"): a worker that declares a health check is marked failed when the
/// check fails its <see cref="HealthCheckSpec.FailureThreshold"/> times in a row (2 by default) while the worker runs and is
/// health-monitored. A passing check resets the count; a check that throws or times out counts as failed. A registered check runs
/// on each replica, and each replica's run of it is counted on its own (one replica failing its threshold's times fails the
/// worker); an HTTP or TCP check runs here, once per worker and interval, from the silo hosting this grain — N replicas do not
/// mean N probes of the same endpoint. Failed, the worker's replicas are stopped (drained) and it stays failed, with the reason
/// and the time in its persisted state, until an operator starts or restarts it; only a health policy with
/// <see cref="WorkerHealthPolicy.RestartWhenFailed"/> restarts it, within the policy's restart budget. The counts themselves are
/// kept in memory: a streak in progress starts again when this grain moves to another silo.
/// </summary>
internal sealed partial class WorkerGrain : IWorkerHealthChecks
{
    private const int MaxReasonMessage = 300;
    private readonly Dictionary<string, int> failureStreaks = new(StringComparer.Ordinal);
    private ITimer? probeTimer;
    private IWorkerHealthChecks? checks;
    private bool probing;
    private bool failing;

    /// <summary>Whether failed checks count now: the worker runs, is health-monitored (flag and operator) and declares a check.</summary>
    private bool DetectingFailures =>
        Exists && S.Status is WorkerStatus.Running or WorkerStatus.Starting && !S.MonitoringStopped && S.Definition!.HealthMonitoringEnabled
        && DeclaredCheck(S.Definition) is not null;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        DisarmProbe();
        return DeactivateMetricsAsync(cancellationToken);
    }

    public async Task<WorkerHealth?> CheckNow()
    {
        if (probing || !DetectingFailures || DeclaredCheck(S.Definition!) is not { RunsOncePerWorker: true } check)
        {
            return null;
        }

        long generation = S.Generation;
        HealthCheckOutcome outcome;
        probing = true;
        try
        {
            outcome = await probe.RunAsync(check, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The probe turns every network failure into an outcome: this is a bug or a resource problem, logged in full here.
            LogCheckThrew(logger, Name, ex);
            outcome = new HealthCheckOutcome(false, "the check could not run (the silo log has the details)");
        }
        finally
        {
            probing = false;
        }

        var now = clock.GetUtcNow();
        var result = new WorkerHealth { Healthy = outcome.Healthy, Message = outcome.Message, CheckedAt = now, Source = Name, Generation = generation };
        if (S.Generation == generation && DetectingFailures)
        {
            result = result with { ConsecutiveFailures = Count(Name, result, check) };
        }

        health = result;

        PublishToPlugins(
            new PluginHealthCheckContext { WorkerName = Name, ReplicaId = Name, Silo = silo, Outcome = outcome, CheckedAt = now },
            static (p, c) => p.NotifyHealthCheckedAsync(c));
        return result;
    }

    public async Task FailOnHealth(long generation, string reason)
    {
        failing = false;
        failureStreaks.Clear();
        if (!DetectingFailures || S.Generation != generation)
        {
            return;   // stopped, restarted or no longer monitored since the count was reached
        }

        var definition = S.Definition!;
        var now = clock.GetUtcNow();
        LogHealthFailed(logger, Name, reason);
        DisarmSupervision();
        await UnregisterReminder();
        S.LastError = reason;
        S.Failure = new WorkerFailure { Code = WorkersErrorCodes.HealthCheckFailed, Reason = reason, At = now };
        score = null;
        criticalStreak = 0;

        // The status first: a silo lost while the replicas drain leaves the worker failed, and its next activation stops them.
        await SetStatus(WorkerStatus.Failed);
        SystemDecisions.Record(audit, SystemDecisions.Entry("workers.fail", Name, now, reason));
        await FinishFailing(definition.DrainTimeout);
        PublishToPlugins(WorkerEvent(), static (p, c) => p.NotifyWorkerStoppedAsync(c));
        await RestartWhenFailed(definition.HealthPolicy, now);
    }

    /// <summary>Reports from replicas: a registered check in force counts for the replica that ran it.</summary>
    public Task ReportHealth(WorkerHealth health)
    {
        this.health = health ?? new WorkerHealth();
        if (DetectingFailures && DeclaredCheck(S.Definition!) is { Kind: HealthCheckKind.Registered } check
            && this.health.Source is { } source && this.health.Generation == S.Generation
            && ReplicaKey.TryParse(source, out var key) && key.Worker == Name && key.Set is null)
        {
            this.health = this.health with { ConsecutiveFailures = Count(source, this.health, check) };
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The check in force for <paramref name="definition"/>: its version's registered check when the version names one (with the
    /// worker's timeout, interval and threshold when it declares a check), else the worker's declared one; null: none declared.
    /// </summary>
    private HealthCheckSpec? DeclaredCheck(WorkerDefinition definition)
    {
        var declared = definition.HealthCheck;
        if (RegisteredVersion(definition.Version)?.HealthCheck is not { } named)
        {
            return declared;
        }

        var check = HealthCheckSpec.Registered(named);
        return declared is null ? check : check with { Timeout = declared.Timeout, Interval = declared.Interval, FailureThreshold = declared.FailureThreshold };
    }

    /// <summary>Counts one outcome of <paramref name="source"/> (a replica, or the worker's own check) and returns its failures in a
    /// row; at the threshold, queues the failure transition as an ordinary call (this runs in interleaved turns).</summary>
    private int Count(string source, WorkerHealth result, HealthCheckSpec check)
    {
        if (result.Healthy == true)
        {
            failureStreaks.Remove(source);
            return 0;
        }

        int streak = failureStreaks[source] = failureStreaks.GetValueOrDefault(source) + 1;
        if (streak < check.FailureThreshold || failing)
        {
            return streak;
        }

        failing = true;
        var message = result.Message is { Length: > 0 } m ? (m.Length <= MaxReasonMessage ? m : m[..MaxReasonMessage] + "…") : "no message";
        var where = source == Name ? "" : $" on replica {source}";
        var times = streak == 1 ? "" : $" {streak} times in a row";
        var reason = $"{Describe(check)} failed{times}{where}: {message}";
        Checks().FailOnHealth(S.Generation, reason).Ignore();
        return streak;
    }

    /// <summary>Stops what may still run of a failed worker (its replicas and its canary's) and records that none does.</summary>
    private async Task FinishFailing(TimeSpan? drain = null)
    {
        var definition = S.Definition!;
        await Task.WhenAll(
            StopReplicas(drain ?? TimeSpan.Zero, Math.Max(S.RunningReplicas, definition.Replicas)),
            StopCanaryReplicas(from: 0));
        S.RunningReplicas = 0;
        await state.WriteStateAsync();
    }

    /// <summary>Opt-in (<see cref="WorkerHealthPolicy.RestartWhenFailed"/>): a restart within the policy's budget, shared with the
    /// restarts on critical health; past it the worker stays failed.</summary>
    private async Task RestartWhenFailed(WorkerHealthPolicy policy, DateTimeOffset now)
    {
        if (!policy.RestartWhenFailed)
        {
            return;
        }

        while (healthRestarts.Count > 0 && now - healthRestarts.Peek() > policy.RestartWindow)
        {
            healthRestarts.Dequeue();
        }

        if (healthRestarts.Count >= policy.MaxRestarts)
        {
            LogFailedRestartLimited(logger, Name, policy.MaxRestarts);
            return;
        }

        healthRestarts.Enqueue(now);
        LogFailedRestart(logger, Name);
        SystemDecisions.Record(audit, SystemDecisions.Entry("workers.restart", Name, now, "the health check failed and the health policy restarts failed workers"));
        try
        {
            await StartCore();
        }
        catch (WorkersException)
        {
            // Failed to start: the worker is failed again, with the start's reason.
        }
    }

    /// <summary>Arms the timer of the worker's own HTTP or TCP check while it runs and is monitored; idempotent.</summary>
    private void ArmProbe()
    {
        if (probeTimer is not null || !Exists || S.MonitoringStopped || !S.Definition!.HealthMonitoringEnabled
            || DeclaredCheck(S.Definition) is not { RunsOncePerWorker: true } check)
        {
            return;
        }

        var every = check.Interval ?? options.HealthCheckInterval;
        var target = Checks();
        probeTimer = clock.CreateTimer(static s => ((IWorkerHealthChecks)s!).CheckNow().Ignore(), target, every, every);
    }

    private void DisarmProbe()
    {
        probeTimer?.Dispose();
        probeTimer = null;
    }

    /// <summary>A new generation counts from zero (and a failure transition that was queued but never arrived is let go).</summary>
    private void ForgetFailures()
    {
        failureStreaks.Clear();
        failing = false;
    }

    /// <summary>Forgets the health of the previous run when its checks or flags change (a restart follows).</summary>
    private void ResetHealth()
    {
        failureStreaks.Clear();
        score = null;
        criticalStreak = 0;
        health = new WorkerHealth();
        DisarmProbe();
    }

    /// <summary>Whether the replicas must restart to apply a change: their health check or the flags they apply.</summary>
    private static bool ReplicaSettingsChanged(WorkerDefinition old, WorkerDefinition next) =>
        old.HealthCheck != next.HealthCheck
        || ReplicaSpecs.Flags.Any(f => old.Feature(f) != next.Feature(f));

    /// <summary>Refuses an update the worker's flags do not allow, and a registered check some live silo does not have.</summary>
    private async Task EnsureFeaturesApply(WorkerDefinition next, HealthCheckSpec? newCheck)
    {
        if (!next.Feature(WorkerFeatures.DatacenterOrchestration) && (next.Placement is not null || next.Failover is not null))
        {
            throw new WorkersException(WorkersErrorCodes.FeatureDisabled,
                $"Worker '{Name}' has a placement or a failover policy: remove them (DELETE …/placement, …/failover) before setting datacenterOrchestration to false.");
        }

        await EnsureHealthCheckRegistered(newCheck);
    }

    /// <summary>A registered check must be registered on every live silo (a replica may land on any): HEALTH_CHECK_NOT_FOUND.</summary>
    private async Task EnsureHealthCheckRegistered(HealthCheckSpec? check)
    {
        if (check is not { Kind: HealthCheckKind.Registered, Name: { } name })
        {
            return;
        }

        var silos = (await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.ToArray();
        var answers = await Task.WhenAll(silos.Select(async s => (Silo: s, Has: await GrainFactory.GetGrain<ISiloCatalogGrain>(s.ToParsableString()).HasHealthCheck(name))));
        if (answers.Where(a => !a.Has).Select(a => a.Silo.ToString()).ToList() is { Count: > 0 } without)
        {
            throw new WorkersException(WorkersErrorCodes.HealthCheckNotFound,
                $"Health check '{name}' is not registered on {without.Count} of {silos.Length} live silos ({string.Join(", ", without)}); register it with AddHealthCheck on every silo.");
        }
    }

    private IWorkerHealthChecks Checks() => checks ??= this.AsReference<IWorkerHealthChecks>();

    /// <summary>The check as a log and a reason name it: its kind and target, never a URL's query.</summary>
    private static string Describe(HealthCheckSpec check) => check.Kind switch
    {
        HealthCheckKind.Http => $"HTTP check {HealthCheckSpec.Shown(new Uri(check.Url!))}",
        HealthCheckKind.Tcp => $"TCP check {check.Host}:{check.Port}",
        _ => $"Health check '{check.Name}'",
    };

    [LoggerMessage(3300, LogLevel.Error, "Worker {Worker} failed: {Reason}; its replicas are stopped until an operator starts or restarts it")]
    private static partial void LogHealthFailed(ILogger logger, string worker, string reason);

    [LoggerMessage(3301, LogLevel.Warning, "Worker {Worker}: restarting it after its health check failed (health policy restartWhenFailed)")]
    private static partial void LogFailedRestart(ILogger logger, string worker);

    [LoggerMessage(3302, LogLevel.Warning, "Worker {Worker} stays failed: the health policy's {MaxRestarts} restarts per window are used up")]
    private static partial void LogFailedRestartLimited(ILogger logger, string worker, int maxRestarts);

    [LoggerMessage(3303, LogLevel.Error, "Worker {Worker}: its health check could not run")]
    private static partial void LogCheckThrew(ILogger logger, string worker, Exception exception);
}

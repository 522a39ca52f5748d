using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Versions: registered without running, activated by a rolling update (one replica at a time), rolled back by
/// activating an older one or on their own when a new replica fails to start.</summary>
internal sealed partial class WorkerGrain
{
    public async Task<WorkerVersionSpec> RegisterVersion(WorkerVersionSpec version)
    {
        ArgumentNullException.ThrowIfNull(version);
        EnsureExists();
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(version));
        EnsureCurrentRegistered();
        if (RegisteredVersion(version.Version) is not null)
        {
            throw new WorkersException(WorkersErrorCodes.VersionExists, $"Worker '{Name}' already has version {version.Version}; register a new version number.");
        }

        var registered = version with { RegisteredAt = clock.GetUtcNow() };
        AddRegistered(registered);
        S.UpdatedAt = registered.RegisteredAt;
        await state.WriteStateAsync();
        LogVersionRegistered(logger, Name, registered.Version);
        return registered;
    }

    public Task<WorkerVersionList> ListVersions()
    {
        EnsureExists();
        IEnumerable<WorkerVersionSpec> registered = S.Registered;
        if (RegisteredVersion(S.Definition!.Version) is null)
        {
            // A worker from before versions were registered: its running version is the first.
            registered = registered.Prepend(VersionOf(S.Definition, S.CreatedAt, null));
        }

        return Task.FromResult(new WorkerVersionList { Active = S.Definition.Version, Versions = [.. registered], Rollout = S.Rollout });
    }

    public async Task<WorkerInfo> ActivateVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        EnsureExists();
        EnsureCurrentRegistered();
        var target = RegisteredVersion(version)
            ?? throw new WorkersException(WorkersErrorCodes.VersionNotFound, $"Worker '{Name}' has no version {version}; register it first (POST /api/workers/{Name}/versions).");
        if (S.Canary is { } canary && canary.Version != version)
        {
            throw new WorkersException(WorkersErrorCodes.CanaryActive, $"Worker '{Name}' has a canary of version {canary.Version}; complete or roll it back before activating another version.");
        }

        var old = S.Definition!;
        if (old.Version == target.Version && S.RollingFrom is null)
        {
            return Info();   // already active: nothing to roll
        }

        var next = target.Apply(old);
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(next));
        await EnsureEverySiloCanRun(next, target.HealthCheck);
        if (next.JobOptions.Partitions != old.JobOptions.Partitions)
        {
            await EnsurePartitionsFit(next);
        }

        S.Definition = next;
        S.UpdatedAt = clock.GetUtcNow();
        RecordHistory(next, WorkerValidation.CompareVersions(target.Version, old.Version) < 0 ? "rolled back" : "activated");
        await state.WriteStateAsync();
        await Index();
        if (next.JobOptions != old.JobOptions)
        {
            await SetPolicies(next);
        }

        if (S.Status is WorkerStatus.Running or WorkerStatus.Starting)
        {
            await RollReplicas(from: old);
            failureStreaks.Clear();
            DisarmProbe();
            ArmProbe();   // the new version's check may be one the worker runs itself, or one its replicas run
        }

        LogVersionActivated(logger, Name, old.Version, next.Version);
        return Info();
    }

    /// <summary>
    /// Moves the running replicas from <paramref name="from"/> to the definition now in state, one at a time: each is stopped
    /// gracefully (its jobs finish within the drain time or go back to the queue, none cut short) before its successor starts,
    /// so the worker never runs fewer than replicas − 1. Progress is stored after each replica. A successor that fails to start
    /// ends the roll: every replica goes back to <paramref name="from"/>, and VERSION_ROLLOUT_FAILED says why.
    /// </summary>
    private async Task RollReplicas(WorkerDefinition from)
    {
        var to = S.Definition!;
        S.RollingFrom = from;
        S.Rollout = new VersionRollout { From = from.Version, To = to.Version, State = RolloutState.Rolling, Replicas = to.Replicas, StartedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        await ContinueRollout();
    }

    /// <summary>A worker grain that moved mid-roll carries on from the replica it had reached.</summary>
    private async Task ResumeRollout()
    {
        if (S.RollingFrom is not null && S.Rollout is { State: RolloutState.Rolling })
        {
            try
            {
                await ContinueRollout();
            }
            catch (WorkersException)
            {
                // Rolled back; the rollout records why.
            }
        }
    }

    private async Task ContinueRollout()
    {
        var to = S.Definition!;
        var from = S.RollingFrom!;
        for (int i = S.Rollout!.Replaced; i < to.Replicas; i++)
        {
            LogRollingReplica(logger, Name, i, from.Version, to.Version);
            await StopReplica(i, from.DrainTimeout);
            try
            {
                var status = await Replica(i).Start(Spec(to, i)).WaitAsync(options.ConnectionTimeout);
                TrackReplica(i, status.Silo);
            }
            catch (Exception ex)
            {
                await RollBack(i, ex);
                throw new WorkersException(WorkersErrorCodes.VersionRolloutFailed, S.Rollout.Reason!);
            }

            S.Rollout = S.Rollout with { Replaced = i + 1 };
            await state.WriteStateAsync();
        }

        S.RollingFrom = null;
        S.Rollout = S.Rollout with { State = RolloutState.Completed, FinishedAt = clock.GetUtcNow() };
        S.RunningReplicas = Math.Max(S.RunningReplicas, to.Replicas);
        await state.WriteStateAsync();
    }

    /// <summary>Replica <paramref name="failed"/> of the new version did not start: it and those already replaced go back to the
    /// old definition, one at a time as they came.</summary>
    private async Task RollBack(int failed, Exception cause)
    {
        var from = S.RollingFrom!;
        var to = S.Definition!;
        string reason = cause switch
        {
            TimeoutException => $"Replica {failed} of version {to.Version} did not start within WORKER_CONNECTION_TIMEOUT; back on version {from.Version}.",
            WorkersException known => $"Replica {failed} of version {to.Version} failed to start ({known.Code}): {known.Message} Back on version {from.Version}.",
            _ => $"Replica {failed} of version {to.Version} failed to start ({WorkersErrorCodes.WorkerStartFailed}; the silo log has the details); back on version {from.Version}.",
        };
        LogRolloutFailed(logger, Name, to.Version, from.Version, cause);

        S.Definition = from;
        S.RollingFrom = null;
        S.UpdatedAt = clock.GetUtcNow();
        RecordHistory(from, "rolled back");
        await state.WriteStateAsync();
        if (to.JobOptions != from.JobOptions)
        {
            await SetPolicies(from);
        }

        for (int i = failed; i >= 0; i--)
        {
            if (i != failed)
            {
                await StopReplica(i, from.DrainTimeout);
            }

            try
            {
                var status = await Replica(i).Start(Spec(from, i));
                TrackReplica(i, status.Silo);
            }
            catch (Exception ex)
            {
                // Supervision keeps trying; the worker's status and the rollout say what happened.
                LogSuperviseFailed(logger, Name, i, ex);
            }
        }

        S.Rollout = S.Rollout! with { State = RolloutState.RolledBack, FinishedAt = clock.GetUtcNow(), Reason = reason, Replaced = 0 };
        await Index();
        await state.WriteStateAsync();
    }

    /// <summary>A start of every replica (a restart) lands them all on the target: a roll it interrupts is complete.</summary>
    private void FinishRolloutByRestart()
    {
        if (S.RollingFrom is not null && S.Rollout is { } rollout)
        {
            S.RollingFrom = null;
            S.Rollout = rollout with { State = RolloutState.Completed, Replaced = S.Definition!.Replicas, FinishedAt = clock.GetUtcNow() };
        }
    }

    private async Task StopReplica(int index, TimeSpan drain)
    {
        try
        {
            CountStopped(await Replica(index).Stop(drain));
        }
        catch (Exception ex)
        {
            LogReplicaStopFailed(logger, Name, index, ex);
        }
    }

    /// <summary>The definition replica <paramref name="index"/> runs: during a roll, the old one until it is replaced.</summary>
    private WorkerDefinition DefinitionOf(int index, WorkerDefinition target) =>
        S.RollingFrom is { } from && S.Rollout is { State: RolloutState.Rolling } rollout && index >= rollout.Replaced ? from : target;

    private WorkerVersionSpec? RegisteredVersion(string version) => S.Registered.Find(v => v.Version == version);

    /// <summary>Workers created before versions were registered: their running version becomes the first registered one.</summary>
    private void EnsureCurrentRegistered()
    {
        if (RegisteredVersion(S.Definition!.Version) is null)
        {
            S.Registered.Insert(0, VersionOf(S.Definition, S.CreatedAt, null));
        }
    }

    private void AddRegistered(WorkerVersionSpec version)
    {
        S.Registered.Add(version);
        if (S.Registered.Count > MaxVersions)
        {
            // The oldest that is not active goes.
            S.Registered.Remove(S.Registered.First(v => v.Version != S.Definition!.Version));
        }
    }

    private void RecordHistory(WorkerDefinition definition, string reason)
    {
        S.Versions.Add(new WorkerVersionRecord { Version = definition.Version, Definition = definition, RecordedAt = S.UpdatedAt, Reason = reason });
        if (S.Versions.Count > MaxVersions)
        {
            S.Versions.RemoveRange(0, S.Versions.Count - MaxVersions);
        }
    }

    /// <summary>The version a definition runs. A definition without a processor runs the one of the worker's name: the version
    /// names it, so activating this version again (a rollback) runs it rather than keeping the processor active by then.</summary>
    private static WorkerVersionSpec VersionOf(WorkerDefinition definition, DateTimeOffset at, string? description) => new()
    {
        Version = definition.Version,
        Description = description,
        Processor = definition.ProcessorSpec is null ? definition.ProcessorName : null,
        Concurrency = definition.Concurrency,
        JobOptions = definition.JobOptions,
        RegisteredAt = at,
    };

    /// <summary>Asks every live silo whether it can run the processor (and the health check): a replica may land on any of them.
    /// A processor spec is not asked about: each silo fetches and loads it when a replica starts there.</summary>
    private async Task EnsureEverySiloCanRun(WorkerDefinition definition, string? healthCheck)
    {
        var processor = definition.ProcessorSpec is null ? definition.ProcessorName : null;
        var silos = (await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.ToArray();
        var answers = await Task.WhenAll(silos.Select(async silo =>
        {
            var catalog = GrainFactory.GetGrain<ISiloCatalogGrain>(silo.ToParsableString());
            return (Silo: silo, Processor: processor is null || await catalog.HasProcessor(processor), Check: healthCheck is null || await catalog.HasHealthCheck(healthCheck));
        }));
        if (answers.Where(a => !a.Processor).Select(a => a.Silo.ToString()).ToList() is { Count: > 0 } withoutProcessor)
        {
            throw new WorkersException(WorkersErrorCodes.ProcessorNotOnEverySilo,
                $"Processor '{processor}' is not registered on {withoutProcessor.Count} of {silos.Length} live silos ({string.Join(", ", withoutProcessor)}); deploy it everywhere first.");
        }

        if (answers.Where(a => !a.Check).Select(a => a.Silo.ToString()).ToList() is { Count: > 0 } withoutCheck)
        {
            throw new WorkersException(WorkersErrorCodes.HealthCheckNotFound,
                $"Health check '{healthCheck}' is not registered on {withoutCheck.Count} of {silos.Length} live silos ({string.Join(", ", withoutCheck)}).");
        }
    }

    [LoggerMessage(3020, LogLevel.Information, "Worker {Worker}: version {Version} registered")]
    private static partial void LogVersionRegistered(ILogger logger, string worker, string version);

    [LoggerMessage(3021, LogLevel.Information, "Worker {Worker}: version {From} -> {To} active")]
    private static partial void LogVersionActivated(ILogger logger, string worker, string from, string to);

    [LoggerMessage(3022, LogLevel.Information, "Worker {Worker}: rolling replica {Replica} from version {From} to {To}")]
    private static partial void LogRollingReplica(ILogger logger, string worker, int replica, string from, string to);

    [LoggerMessage(3023, LogLevel.Warning, "Worker {Worker}: version {To} failed to start; rolling back to {From}")]
    private static partial void LogRolloutFailed(ILogger logger, string worker, string to, string from, Exception exception);
}

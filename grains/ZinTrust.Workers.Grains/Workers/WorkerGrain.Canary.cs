using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The canary replica set: replicas <c>{worker}@canary/{n}</c> running a registered version beside the stable ones,
/// supervised like them, started and sized by the worker's canary (<see cref="ICanaryGrain"/>).</summary>
internal sealed partial class WorkerGrain
{
    public async Task SetCanary(string? version, int replicas)
    {
        EnsureExists();
        if (version is null)
        {
            await StopCanaryReplicas(from: 0);
            S.Canary = null;
            await state.WriteStateAsync();
            return;
        }

        var spec = RegisteredVersion(version)
            ?? throw new WorkersException(WorkersErrorCodes.VersionNotFound, $"Worker '{Name}' has no version {version}.");
        replicas = Math.Clamp(replicas, 1, WorkerValidation.MaxReplicas);
        if (S.Canary?.Version != version)
        {
            var definition = spec.Apply(S.Definition!);
            await EnsureEverySiloCanRun(definition, spec.HealthCheck);
        }

        int before = S.Canary?.Version == version ? S.Canary.Replicas : 0;
        if (S.Canary is { } other && other.Version != version)
        {
            await StopCanaryReplicas(from: 0);
        }

        S.Canary = new CanaryReplicaSet { Version = version, Replicas = replicas };
        await state.WriteStateAsync();
        if (S.Status is WorkerStatus.Running or WorkerStatus.Starting)
        {
            var definition = spec.Apply(S.Definition!);
            await Task.WhenAll(Enumerable.Range(0, replicas).Select(i => CanaryReplica(i).Start(Spec(definition, i))));
            if (before > replicas)
            {
                await StopCanaryReplicas(from: replicas, count: before);
            }
        }
    }

    /// <summary>Keeps the canary's replicas running (supervision: re-activates any lost with its silo).</summary>
    private async Task SuperviseCanary()
    {
        if (S.Canary is not { } canary || RegisteredVersion(canary.Version) is not { } spec)
        {
            return;
        }

        var definition = spec.Apply(S.Definition!);
        await Task.WhenAll(Enumerable.Range(0, canary.Replicas).Select(async i =>
        {
            try
            {
                await CanaryReplica(i).Start(Spec(definition, i));
            }
            catch (Exception ex)
            {
                LogSuperviseFailed(logger, Name, i, ex);
            }
        }));
    }

    private async Task StopCanaryReplicas(int from, int? count = null)
    {
        int until = count ?? S.Canary?.Replicas ?? 0;
        var drain = S.Definition!.DrainTimeout;
        await Task.WhenAll(Enumerable.Range(from, Math.Max(0, until - from)).Select(async i =>
        {
            try
            {
                CountStopped(await CanaryReplica(i).Stop(drain));
            }
            catch (Exception ex)
            {
                LogReplicaStopFailed(logger, Name, i, ex);
            }
        }));
    }

    private Task<ReplicaStatus[]> CanaryStatuses() => S.Canary is { } canary
        ? Task.WhenAll(Enumerable.Range(0, canary.Replicas).Select(i => CanaryReplica(i).GetStatus()))
        : Task.FromResult(Array.Empty<ReplicaStatus>());

    private IWorkerReplicaGrain CanaryReplica(int index) =>
        GrainFactory.GetGrain<IWorkerReplicaGrain>(new ReplicaKey(Name, index, ReplicaKey.CanarySet, S.Region).ToString());
}

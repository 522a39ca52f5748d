using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Where the worker's replicas run. A placed worker's replicas are keyed with their region (<see cref="ReplicaKey"/>) and placed
/// only on its silos; a move (a new placement, a failover, a fail-back) starts the replica set in the new region, then drains
/// the old one, so a healthy source region hands its jobs over without cutting any short, and a dead one's leases expire and
/// its jobs run in the new region.
/// </summary>
internal sealed partial class WorkerGrain
{
    public const int MaxRegionMoves = 50;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public async Task<WorkerInfo> SetPlacement(WorkerPlacement? placement, string? by)
    {
        EnsureExists();
        EnsureDatacenterOrchestration(placement is not null);
        var policy = S.Definition!.Failover;
        if (placement is not null)
        {
            WorkerValidation.ThrowIfInvalid(RegionValidation.Validate(placement));
            await EnsureKnownRegion(placement.Region, "region");
            if (policy is not null && placement.Region != policy.PrimaryRegion)
            {
                throw new WorkersException(
                    WorkersErrorCodes.InvalidPlacement,
                    $"Worker '{Name}' has a failover policy with primary region '{policy.PrimaryRegion}'; change or remove the policy to place it in '{placement.Region}'.");
            }
        }
        else if (policy is not null)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidPlacement, $"Worker '{Name}' has a failover policy; remove it before removing the placement.");
        }

        S.Definition = S.Definition with { Placement = placement };
        S.UpdatedAt = clock.GetUtcNow();
        await state.WriteStateAsync();
        bool failedOver = policy is not null && S.Region == policy.SecondaryRegion;
        if (!failedOver)
        {
            await MoveReplicas(placement?.Region, "placement", placement is null ? "the placement was removed" : $"placed in {placement.Region}", by);
        }

        return Info();
    }

    public async Task<WorkerInfo> SetFailover(FailoverPolicy? policy, string? by)
    {
        EnsureExists();
        EnsureDatacenterOrchestration(policy is not null);
        var placement = S.Definition!.Placement;
        if (policy is not null)
        {
            WorkerValidation.ThrowIfInvalid(RegionValidation.Validate(policy));
            await EnsureKnownRegion(policy.PrimaryRegion, "primaryRegion");
            await EnsureKnownRegion(policy.SecondaryRegion, "secondaryRegion");
            placement = (placement ?? new WorkerPlacement { Region = policy.PrimaryRegion }) with { Region = policy.PrimaryRegion };
        }

        S.Definition = S.Definition with { Failover = policy, Placement = placement };
        S.UpdatedAt = clock.GetUtcNow();
        await state.WriteStateAsync();
        string? target = policy is not null && S.Region == policy.SecondaryRegion ? policy.SecondaryRegion : placement?.Region;
        await MoveReplicas(target, "placement", policy is null ? "the failover policy was removed" : $"failover policy {policy.PrimaryRegion} -> {policy.SecondaryRegion}", by);
        Failover().Watch().Ignore();
        return Info();
    }

    /// <summary>features.datacenterOrchestration false: the worker takes no placement or failover policy (removing them is fine).</summary>
    private void EnsureDatacenterOrchestration(bool setting)
    {
        if (setting && !S.Definition!.Feature(WorkerFeatures.DatacenterOrchestration))
        {
            throw new WorkersException(WorkersErrorCodes.FeatureDisabled,
                $"Worker '{Name}' has features.datacenterOrchestration false: it runs on any silo and takes no placement or failover policy.");
        }
    }

    public async Task<WorkerInfo> MoveToRegion(string region, string kind, string reason)
    {
        EnsureExists();
        if (S.Definition!.Failover is not { } policy || (region != policy.PrimaryRegion && region != policy.SecondaryRegion))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidFailoverPolicy, $"Worker '{Name}' has no failover policy naming region '{region}'.");
        }

        await MoveReplicas(region, kind, reason, by: null);
        return Info();
    }

    public async Task<WorkerRegionStatus> GetRegionStatus()
    {
        EnsureExists();
        var policy = S.Definition!.Failover;
        var status = new WorkerRegionStatus
        {
            Worker = Name,
            Region = S.Region,
            Placement = S.Definition.Placement,
            Failover = policy,
            FailoverState = policy is null ? "none" : S.Region == policy.SecondaryRegion ? "secondary" : "primary",
            Moves = [.. S.RegionMoves],
        };

        // Both calls interleave (this one and the watch's), so asking the watch from here never waits on a move it makes.
        return policy is { AutoFailover: true } ? status with { ConditionSince = await Failover().GetConditionSince() } : status;
    }

    /// <summary>The region a new worker starts in, and its failover watch: from the definition's placement and policy.</summary>
    private async Task PlaceNew(WorkerDefinition definition)
    {
        if (definition.Placement is { } placement)
        {
            WorkerValidation.ThrowIfInvalid(RegionValidation.Validate(placement));
            await EnsureKnownRegion(placement.Region, "placement.region");
        }

        if (definition.Failover is { } policy)
        {
            WorkerValidation.ThrowIfInvalid(RegionValidation.Validate(policy));
            await EnsureKnownRegion(policy.PrimaryRegion, "failover.primaryRegion");
            await EnsureKnownRegion(policy.SecondaryRegion, "failover.secondaryRegion");
            if (definition.Placement is { } p && p.Region != policy.PrimaryRegion)
            {
                throw new WorkersException(WorkersErrorCodes.InvalidPlacement, $"The placement's region '{p.Region}' must be the failover policy's primary region '{policy.PrimaryRegion}'.");
            }
        }
    }

    private async Task MoveReplicas(string? to, string kind, string reason, string? by)
    {
        string? from = S.Region;
        if (from == to)
        {
            return;
        }

        var now = clock.GetUtcNow();
        S.Region = to;
        S.UpdatedAt = now;
        S.RegionMoves.Add(new RegionMove { At = now, From = from, To = to, Kind = kind, Reason = reason, By = by });
        if (S.RegionMoves.Count > MaxRegionMoves)
        {
            S.RegionMoves.RemoveRange(0, S.RegionMoves.Count - MaxRegionMoves);
        }

        await state.WriteStateAsync();
        LogRegionMove(logger, Name, from ?? "(anywhere)", to ?? "(anywhere)", kind, reason);
        PublishToPlugins(
            new PluginFailoverContext
            {
                WorkerName = Name,
                ReplicaId = new ReplicaKey(Name, 0, null, to).ToString(),
                FromSilo = "",
                ToSilo = "",
                FromRegion = from,
                ToRegion = to,
                Reason = $"{kind}: {reason}",
                At = now,
            },
            static (p, c) => p.NotifyFailoverAsync(c));
        if (S.Status is not (WorkerStatus.Running or WorkerStatus.Starting))
        {
            return;
        }

        // The new region's replicas first (capacity comes back before the old region's drain), then the old set stops: its
        // jobs finish within the drain time or go back to the queue; in a dead region its leases expire and the jobs run here.
        int count = Math.Max(S.RunningReplicas, S.Definition!.Replicas);
        int canaries = S.Canary?.Replicas ?? 0;
        replicaSilos.Clear();
        await SuperviseCore(forceWrite: false);
        var drain = S.Definition.DrainTimeout;
        var old = Enumerable.Range(0, count).Select(i => new ReplicaKey(Name, i, null, from))
            .Concat(Enumerable.Range(0, canaries).Select(i => new ReplicaKey(Name, i, ReplicaKey.CanarySet, from)));
        await Task.WhenAll(old.Select(async key =>
        {
            try
            {
                CountStopped(await GrainFactory.GetGrain<IWorkerReplicaGrain>(key.ToString()).Stop(drain).WaitAsync(drain + StopGrace));
            }
            catch (Exception ex)
            {
                LogRegionStopFailed(logger, Name, key.ToString(), ex);
            }
        }));
    }

    private async Task EnsureKnownRegion(string region, string field)
    {
        if (regions.Silos().Any(s => s.Region == region) || await GrainFactory.GetGrain<IDatacenterGrain>(0).GetRegion(region) is not null)
        {
            return;
        }

        throw new WorkersException(
            WorkersErrorCodes.RegionNotFound,
            $"{field}: region '{region}' is not known: register it (POST /api/datacenters/regions) or start a silo with SILO_REGION={region}.");
    }

    private IFailoverGrain Failover() => GrainFactory.GetGrain<IFailoverGrain>(Name);

    [LoggerMessage(3030, LogLevel.Warning, "Worker {Worker}: replicas move from region {From} to {To} ({Kind}: {Reason})")]
    private static partial void LogRegionMove(ILogger logger, string worker, string from, string to, string kind, string reason);

    [LoggerMessage(3031, LogLevel.Warning, "Worker {Worker}: stopping replica {Replica} of the region it left failed")]
    private static partial void LogRegionStopFailed(ILogger logger, string worker, string replica, Exception exception);
}

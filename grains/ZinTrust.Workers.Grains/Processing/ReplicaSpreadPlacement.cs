using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Places replica <c>{worker}/{n}</c> on the n-th active silo (by address, modulo the silo count), so a
/// worker's replicas spread over the cluster instead of landing together, and losing one silo loses at
/// most its share. Every silo computes the same answer from the same membership view. A replica keyed with a region
/// (<c>{worker}~{region}/{n}</c>) is placed the same way among that region's silos only.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.ReplicaSpreadPlacement")]
public sealed class ReplicaSpreadPlacement : PlacementStrategy
{
    public static ReplicaSpreadPlacement Singleton { get; } = new();
}

/// <summary>Marks a grain class for <see cref="ReplicaSpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ReplicaSpreadPlacementAttribute() : PlacementAttribute(ReplicaSpreadPlacement.Singleton);

internal sealed class ReplicaSpreadPlacementDirector(RegionDirectory regions) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        IEnumerable<SiloAddress> compatible = context.GetCompatibleSilos(target);
        int index;
        if (ReplicaKey.TryParse(key, out var replica))
        {
            index = replica.Index;
            if (replica.Region is { } region)
            {
                // A replica placed in a region runs only on that region's silos; none there is an error the worker reports.
                compatible = compatible.Where(s => regions.RegionOf(s) == region);
            }
        }
        else
        {
            index = (int)(target.GrainIdentity.GetUniformHashCode() & 0x7fffffff);
        }

        var silos = compatible.Order().ToArray();
        if (silos.Length == 0)
        {
            throw new WorkersException(WorkersErrorCodes.RegionUnavailable, $"No active silo of region '{replica.Region}' can run replica {key}.");
        }

        return Task.FromResult(silos[index % silos.Length]);
    }
}

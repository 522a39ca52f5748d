using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Places replica <c>{worker}/{n}</c> on the n-th active silo (by address, modulo the silo count), so a
/// worker's replicas spread over the cluster instead of landing together, and losing one silo loses at
/// most its share. Every silo computes the same answer from the same membership view.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.ReplicaSpreadPlacement")]
public sealed class ReplicaSpreadPlacement : PlacementStrategy
{
    public static ReplicaSpreadPlacement Singleton { get; } = new();
}

/// <summary>Marks a grain class for <see cref="ReplicaSpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ReplicaSpreadPlacementAttribute() : PlacementAttribute(ReplicaSpreadPlacement.Singleton);

internal sealed class ReplicaSpreadPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).Order().ToArray();
        var key = target.GrainIdentity.Key.ToString();
        int slash = key.LastIndexOf('/');
        int index = slash >= 0 && int.TryParse(key.AsSpan(slash + 1), out var n) && n >= 0
            ? n
            : (int)(target.GrainIdentity.GetUniformHashCode() & 0x7fffffff);
        return Task.FromResult(silos[index % silos.Length]);
    }
}

using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Places a grain whose key is a silo address (Orleans' parsable form) on that silo, and nowhere else: a silo that
/// is not an active member refuses the activation, so a measurement is never taken on the wrong silo.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.SiloPinnedPlacement")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    public static SiloPinnedPlacement Singleton { get; } = new();

    /// <summary>Throws unless <paramref name="grain"/> runs on the silo its key names: placement keeps these equal, and a pinned
    /// grain must never answer for another silo.</summary>
    internal static void EnsureHome(Grain grain, ILocalSiloDetails silo)
    {
        if (grain.GetPrimaryKeyString() != silo.SiloAddress.ToParsableString())
        {
            throw new SiloUnavailableException($"The grain for {grain.GetPrimaryKeyString()} is not on its silo.");
        }
    }
}

/// <summary>Marks a grain class for <see cref="SiloPinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Singleton);

internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var silo = Parse(key) ?? throw new ArgumentException($"'{key}' is not a silo address; a silo-pinned grain is keyed by SiloAddress.ToParsableString().", nameof(target));
        if (!context.GetCompatibleSilos(target).Contains(silo))
        {
            throw new SiloUnavailableException($"Silo {silo} is not an active member of the cluster.");
        }

        return Task.FromResult(silo);
    }

    private static SiloAddress? Parse(string key)
    {
        try
        {
            return SiloAddress.FromParsableString(key);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }
}

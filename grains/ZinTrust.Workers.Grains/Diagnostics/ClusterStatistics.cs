namespace ZinTrust.Workers.Grains;

/// <summary>Orleans' runtime statistics (CPU, memory, activations) of the cluster's active silos.</summary>
public static class ClusterStatistics
{
    /// <summary>One entry per active silo; empty when membership lists none.</summary>
    public static async Task<IReadOnlyList<SiloRuntimeStatistics>> ActiveSilosAsync(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var management = grains.GetGrain<IManagementGrain>(0);
        var silos = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        return silos.Length == 0 ? [] : await management.GetRuntimeStatistics(silos);
    }
}

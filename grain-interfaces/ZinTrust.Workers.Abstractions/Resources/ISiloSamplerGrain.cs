namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Measures the silo named by its key (the silo address in Orleans' parsable form); a placement rule keeps each
/// activation on its silo. Used by the resource monitor.
/// </summary>
[Alias("zt.ISiloSamplerGrain"), Orleans.CodeGeneration.Version(1)]
public interface ISiloSamplerGrain : IGrainWithStringKey
{
    /// <summary>CPU, memory, GC and thread-pool figures of this silo now, and the worker replicas it hosts.</summary>
    [Alias("TakeSnapshot")]
    Task<ResourceSnapshot> TakeSnapshot(TimeSpan period);
}

namespace ZinTrust.Workers.Abstractions;

/// <summary>The cluster-wide index of workers (singleton: key 0), kept by the worker grains.</summary>
[Alias("zt.IWorkerRegistryGrain"), Orleans.CodeGeneration.Version(1)]
public interface IWorkerRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Upsert")]
    Task Upsert(WorkerIndexEntry entry);

    [Alias("Remove")]
    Task Remove(string name);

    /// <summary>Workers ordered by name; inactive ones only when asked.</summary>
    [Alias("List")]
    Task<IReadOnlyList<WorkerIndexEntry>> List(bool includeInactive);
}

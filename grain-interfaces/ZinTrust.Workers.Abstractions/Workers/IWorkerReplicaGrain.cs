using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// One processing slot-group of a worker on one silo (key: <c>{worker}/{n}</c>). It pulls leases from the
/// worker's queue and runs the processor outside grain turns, at most <see cref="ReplicaSpec.Concurrency"/> at once.
/// </summary>
[Alias("zt.IWorkerReplicaGrain"), Orleans.CodeGeneration.Version(1)]
public interface IWorkerReplicaGrain : IGrainWithStringKey
{
    /// <summary>Starts (or keeps running) with this spec. Idempotent for the same generation.</summary>
    [Alias("Start")]
    Task<ReplicaStatus> Start(ReplicaSpec spec);

    /// <summary>Stops leasing; waits for in-flight jobs up to <paramref name="drainTimeout"/>, then hands the rest back.</summary>
    [Alias("Stop")]
    Task<ReplicaStatus> Stop(TimeSpan drainTimeout);

    [Alias("SetConcurrency")]
    Task SetConcurrency(int concurrency);

    [Alias("GetStatus")]
    Task<ReplicaStatus> GetStatus();

    /// <summary>The queue has work: lease again now.</summary>
    [OneWay, Alias("Wake")]
    Task Wake();

    /// <summary>The job was cancelled: fire its processor's token if it runs here.</summary>
    [OneWay, Alias("CancelJob")]
    Task CancelJob(string jobId);
}

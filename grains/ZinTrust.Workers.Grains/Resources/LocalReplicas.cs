using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The replica runners alive on this silo (kept by the replica grains), for the resource monitor's snapshots.</summary>
internal sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<string, ReplicaRunner> runners = new(StringComparer.Ordinal);

    public void Add(string replicaId, ReplicaRunner runner) => runners[replicaId] = runner;

    /// <summary>Removes the entry only if it is still this runner (a newer one may have replaced it).</summary>
    public void Remove(string replicaId, ReplicaRunner runner) => runners.TryRemove(new KeyValuePair<string, ReplicaRunner>(replicaId, runner));

    /// <summary>Replicas and jobs in flight per worker, by worker name.</summary>
    public IReadOnlyList<WorkerReplicaShare> Shares() =>
    [
        .. runners.Values
            .GroupBy(r => r.Spec.WorkerName, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new WorkerReplicaShare { Worker = g.Key, Replicas = g.Count(), InFlight = g.Sum(r => r.Snapshot(null).InFlight) }),
    ];
}

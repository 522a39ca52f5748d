using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The cluster's resource monitor (singleton: key 0). While the gating table allows it, it takes a snapshot of
/// every active silo each interval and keeps a bounded history in memory; it estimates costs from that history.
/// </summary>
[Alias("zt.IResourceMonitorGrain"), Orleans.CodeGeneration.Version(1)]
public interface IResourceMonitorGrain : IGrainWithIntegerKey
{
    /// <summary>The most snapshots one history query answers with.</summary>
    const int MaxHistoryPerQuery = 10_000;

    /// <summary>An operator's start: clears a stop (persisted). It runs when the other rules allow it too.</summary>
    [Alias("Start")]
    Task<ResourceMonitorStatus> Start();

    /// <summary>An operator's stop (persisted): no more snapshots until a start. The history is kept.</summary>
    [Alias("Stop")]
    Task<ResourceMonitorStatus> Stop();

    // Reads interleave: a status query must not wait behind a round of snapshots.
    [AlwaysInterleave, Alias("GetStatus")]
    Task<ResourceMonitorStatus> GetStatus();

    /// <summary>Snapshots in [from, to] (either open) of one silo or all, the newest <paramref name="limit"/>, oldest first.</summary>
    [AlwaysInterleave, Alias("GetHistory")]
    Task<IReadOnlyList<ResourceSnapshot>> GetHistory(string? silo, DateTimeOffset? from, DateTimeOffset? to, int limit);

    /// <summary>Costs over the last 24 hours per worker and in total; null when no unit price is configured.</summary>
    [AlwaysInterleave, Alias("GetCosts")]
    Task<CostEstimate?> GetCosts();

    /// <summary>Workers changed (created, updated, deleted): re-read which ones ask for monitoring.</summary>
    [OneWay, Alias("Reevaluate")]
    Task Reevaluate();

    /// <summary>The interval timer's callback, entering the grain's turn (not for other callers).</summary>
    [Alias("Tick")]
    Task Tick();
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>
/// The cluster's resource monitor (CPU, memory and cost snapshots per silo), its alerts and the trends of what the alert rules
/// watch: what <c>/api/resources</c> and <c>zin resource:*</c> show, for .NET applications.
/// </summary>
public interface IClusterMonitoring
{
    /// <summary>The largest <c>limit</c> of <see cref="GetAlertsAsync"/> (the cluster's, as the REST API's).</summary>
    const int MaxAlerts = IAlertGrain.MaxAlertsPerQuery;

    /// <summary>The largest <c>limit</c> of <see cref="GetResourceHistoryAsync"/> (the cluster's).</summary>
    const int MaxSnapshots = IResourceMonitorGrain.MaxHistoryPerQuery;

    /// <summary>Whether the monitor runs (and why not), each silo's newest snapshot and the interval.</summary>
    Task<ResourceMonitorStatus> GetResourcesAsync(CancellationToken cancellationToken = default);

    /// <summary>Snapshots, oldest first, of one silo (or all when <paramref name="silo"/> is null) between <paramref name="from"/>
    /// and <paramref name="to"/> (either may be null), the newest <paramref name="limit"/> (1 to <see cref="MaxSnapshots"/>).</summary>
    Task<IReadOnlyList<ResourceSnapshot>> GetResourceHistoryAsync(string? silo = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>The compute cost estimate, or null when no cost rates are configured.</summary>
    Task<CostEstimate?> GetCostsAsync(CancellationToken cancellationToken = default);

    /// <summary>Clears an operator's stop (persisted; POST /api/resources/start). The monitor runs when the other rules allow it
    /// too: <c>WORKER_RESOURCE_MONITORING</c> and an active worker asking for it.</summary>
    Task<ResourceMonitorStatus> StartResourceMonitoringAsync(CancellationToken cancellationToken = default);

    /// <summary>An operator's stop (persisted; POST /api/resources/stop): no more snapshots until a start; the history is kept.</summary>
    Task<ResourceMonitorStatus> StopResourceMonitoringAsync(CancellationToken cancellationToken = default);

    /// <summary>The alert evaluator's status and the alerts in <paramref name="state"/>, active ones first, at most
    /// <paramref name="limit"/> (1 to <see cref="MaxAlerts"/>).</summary>
    Task<AlertReport> GetAlertsAsync(AlertStateFilter state = AlertStateFilter.All, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>A least-squares trend per metric and subject over the last <paramref name="window"/> (whole hours, 1 to 24).</summary>
    Task<TrendReport> GetTrendsAsync(TimeSpan window, CancellationToken cancellationToken = default);
}

internal sealed class ClusterMonitoring(IClusterClient client) : IClusterMonitoring
{
    public Task<ResourceMonitorStatus> GetResourcesAsync(CancellationToken cancellationToken = default) => Monitor().GetStatus().WaitAsync(cancellationToken);

    public Task<IReadOnlyList<ResourceSnapshot>> GetResourceHistoryAsync(string? silo = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IClusterMonitoring.MaxSnapshots);
        if (from is not null && to is not null && from > to)
        {
            throw new ArgumentException("from must not be after to.", nameof(from));
        }

        return Monitor().GetHistory(silo, from, to, limit).WaitAsync(cancellationToken);
    }

    public Task<CostEstimate?> GetCostsAsync(CancellationToken cancellationToken = default) => Monitor().GetCosts().WaitAsync(cancellationToken);

    public Task<ResourceMonitorStatus> StartResourceMonitoringAsync(CancellationToken cancellationToken = default) => Monitor().Start().WaitAsync(cancellationToken);

    public Task<ResourceMonitorStatus> StopResourceMonitoringAsync(CancellationToken cancellationToken = default) => Monitor().Stop().WaitAsync(cancellationToken);

    public Task<AlertReport> GetAlertsAsync(AlertStateFilter state = AlertStateFilter.All, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "state must be All, Active or Resolved.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IClusterMonitoring.MaxAlerts);
        return Evaluator().GetAlerts(state, limit).WaitAsync(cancellationToken);
    }

    public Task<TrendReport> GetTrendsAsync(TimeSpan window, CancellationToken cancellationToken = default)
    {
        if (window < TimeSpan.FromHours(1) || window > TimeSpan.FromHours(IAlertGrain.MaxTrendHours) || window.Ticks % TimeSpan.TicksPerHour != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "window must be a whole number of hours from 1 to 24.");
        }

        return Evaluator().GetTrends(window).WaitAsync(cancellationToken);
    }

    private IResourceMonitorGrain Monitor() => client.GetGrain<IResourceMonitorGrain>(0);

    private IAlertGrain Evaluator() => client.GetGrain<IAlertGrain>(IAlertGrain.Key);
}

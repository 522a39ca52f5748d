using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// The cluster's alert evaluator (one: key <see cref="Key"/>). Every interval it reads workers' health samples, queues'
/// depths and oldest waits, the resource monitor's snapshots and the cost estimate, compares them with the configured
/// thresholds, and raises or resolves alerts (with a hold and hysteresis, so a flapping value does not raise each time).
/// Active alerts and the recent resolved ones are kept in grain storage.
/// </summary>
[Alias("zt.IAlertGrain"), Orleans.CodeGeneration.Version(1)]
public interface IAlertGrain : IGrainWithStringKey
{
    /// <summary>The one key of the evaluator.</summary>
    const string Key = "cluster";

    /// <summary>The most alerts one query answers with (the REST API's and the client library's bound on <c>limit</c>).</summary>
    const int MaxAlertsPerQuery = 1000;

    /// <summary>The longest trend window, in hours.</summary>
    const int MaxTrendHours = 24;

    /// <summary>Makes sure the evaluator runs (its timer and its reminder), or that it does not when alerts are off. Idempotent;
    /// every silo calls it at start.</summary>
    [Alias("Ensure")]
    Task<AlertStatus> Ensure();

    // Reads interleave: a query must not wait behind an evaluation that waits for a slow queue or worker.
    /// <summary>The evaluator's status and the alerts in <paramref name="state"/>, at most <paramref name="limit"/> (active ones first).</summary>
    [AlwaysInterleave, Alias("GetAlerts")]
    Task<AlertReport> GetAlerts(AlertStateFilter state, int limit);

    /// <summary>Trends over the last <paramref name="window"/> (1 to 24 hours) of the metrics the rules watch.</summary>
    [AlwaysInterleave, Alias("GetTrends")]
    Task<TrendReport> GetTrends(TimeSpan window);
}

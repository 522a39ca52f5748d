using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Trends of what the rules watch, over a window of 1 to 24 hours, from the data the cluster keeps: CPU, memory and the compute
/// cost rate per silo round from the resource monitor's snapshots; health scores and failure rates from each running worker's
/// monitoring samples; queue depth and oldest wait from this evaluator's own readings (<see cref="QueueSeries"/>). Each is a
/// least-squares line (<see cref="TrendMath"/>).
/// </summary>
internal sealed partial class AlertGrain
{
    public const string SnapshotsSource = "resource-snapshots";
    public const string MonitoringSource = "worker-monitoring";
    public const string EvaluationsSource = "alert-evaluations";

    public async Task<TrendReport> GetTrends(TimeSpan window)
    {
        window = window < TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : window > TimeSpan.FromHours(24) ? TimeSpan.FromHours(24) : window;
        var now = clock.GetUtcNow();
        var from = now - window;
        var trends = new List<MetricTrend>();
        var trouble = new List<string>();

        // Copied before the first await: an evaluation may add to the series meanwhile.
        foreach (var (queue, points) in series.Since(from))
        {
            trends.Add(TrendMath.Fit("queue.depth", AlertSubjectKind.Queue, queue, "jobs", EvaluationsSource, 1, [.. points.Select(p => (p.At, (double)p.Waiting))]));
            trends.Add(TrendMath.Fit("queue.oldest-wait", AlertSubjectKind.Queue, queue, "seconds", EvaluationsSource, 1, [.. points.Select(p => (p.At, (double)p.OldestWaitSeconds))]));
        }

        var resources = ResourceTrends(from, trouble);
        var workerTrends = WorkerTrends(from, trouble);
        trends.AddRange(await resources);
        trends.AddRange(await workerTrends);
        return new TrendReport
        {
            From = from,
            To = now,
            ResourceMonitor = monitorGate ?? ResourceMonitorGate.NoWorkerRequestsIt,
            Trends = [.. trends.OrderBy(t => t.Metric, StringComparer.Ordinal).ThenBy(t => t.Subject, StringComparer.Ordinal)],
            Problems = trouble,
        };
    }

    private async Task<List<MetricTrend>> ResourceTrends(DateTimeOffset from, List<string> trouble)
    {
        var trends = new List<MetricTrend>();
        var monitor = GrainFactory.GetGrain<IResourceMonitorGrain>(0);
        try
        {
            var status = await monitor.GetStatus();
            monitorGate = status.Gate;
            var rounds = new SortedDictionary<DateTimeOffset, List<ResourceSnapshot>>();
            foreach (var silo in status.Latest.Select(s => s.Silo))
            {
                var snapshots = await monitor.GetHistory(silo, from, null, ResourceMonitorGrain.MaxQueryLimit);
                trends.Add(TrendMath.Fit("cpu", AlertSubjectKind.Silo, silo, "percent", SnapshotsSource, 1, [.. snapshots.Select(s => (s.At, s.CpuPercent))]));
                trends.Add(TrendMath.Fit("memory", AlertSubjectKind.Silo, silo, "percent", SnapshotsSource, 1, [.. snapshots.Select(s => (s.At, Math.Round(s.MemoryPercent, 2)))]));
                foreach (var snapshot in snapshots)
                {
                    if (!rounds.TryGetValue(snapshot.At, out var round))
                    {
                        rounds[snapshot.At] = round = [];
                    }

                    round.Add(snapshot);
                }
            }

            if (costs.Configured && rounds.Count > 0)
            {
                // The compute cost rate of each round (all silos' snapshots of one moment), in currency per hour.
                var rates = rounds.Select(r => (r.Key, Rate(r.Value))).Where(r => r.Item2 is not null).Select(r => (r.Key, r.Item2!.Value)).ToList();
                trends.Add(TrendMath.Fit("cost", AlertSubjectKind.Cluster, "cluster", costs.Currency + "/hour", SnapshotsSource, 0, rates));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, "resource monitor", ex);
            trouble.Add("resource monitor: unreachable; no CPU, memory or cost trends");
        }

        return trends;
    }

    private double? Rate(List<ResourceSnapshot> round)
    {
        var period = round.Max(s => s.Period);
        if (period <= TimeSpan.Zero)
        {
            return null;
        }

        var estimate = CostEstimator.Estimate(round, costs, storageBytes: null, period);
        return Math.Round(estimate.Compute / period.TotalHours, 6);
    }

    private async Task<List<MetricTrend>> WorkerTrends(DateTimeOffset from, List<string> trouble)
    {
        var trends = new List<MetricTrend>();
        IReadOnlyList<WorkerIndexEntry> entries;
        try
        {
            entries = await GrainFactory.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, "worker registry", ex);
            trouble.Add("worker registry: unreachable; no worker trends");
            return trends;
        }

        var running = entries.Where(e => e.Status == WorkerStatus.Running).Select(e => e.Name).ToArray();
        var histories = await Task.WhenAll(running.Select(async name =>
        {
            try
            {
                return (name, await GrainFactory.GetGrain<IWorkerGrain>(name).GetMonitoringHistory(from, null, 10_000));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSourceFailed(logger, $"worker {name}", ex);
                return (name, (IReadOnlyList<WorkerMonitoringSample>?)null);
            }
        }));
        foreach (var (name, samples) in histories)
        {
            if (samples is null)
            {
                trouble.Add($"worker '{name}': its monitoring samples could not be read");
                continue;
            }

            trends.Add(TrendMath.Fit("worker.health", AlertSubjectKind.Worker, name, "score", MonitoringSource, 1,
                [.. samples.Where(s => s.Health is not null).Select(s => (s.At, (double)s.Health!.Score))]));
            var rates = new List<(DateTimeOffset, double)>();
            for (int i = 1; i < samples.Count; i++)
            {
                var (completed, failed) = AlertReadings.Attempts([samples[i - 1], samples[i]], DateTimeOffset.MinValue);
                if (completed + failed > 0)
                {
                    rates.Add((samples[i].At, Math.Round(100.0 * failed / (completed + failed), 2)));
                }
            }

            trends.Add(TrendMath.Fit("worker.failure-rate", AlertSubjectKind.Worker, name, "percent", MonitoringSource, 1, rates));
        }

        return trends;
    }
}

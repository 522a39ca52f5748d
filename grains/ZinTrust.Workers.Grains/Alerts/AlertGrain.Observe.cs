using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// What one evaluation reads: the registry (which workers run, which queues active workers use), each running worker's
/// monitoring samples, each such queue's stats, and the resource monitor's newest snapshots and cost estimate. A source that
/// fails leaves its alerts as they were (and says so in the status), never resolves them.
/// </summary>
internal sealed partial class AlertGrain
{
    private async Task<AlertObservation> Observe(DateTimeOffset now)
    {
        var o = new AlertObservation();
        bool workerRules = policy.IsEnabled(AlertRule.WorkerHealth) || policy.IsEnabled(AlertRule.WorkerFailureRate);
        bool queueRules = policy.IsEnabled(AlertRule.QueueDepth) || policy.IsEnabled(AlertRule.QueueOldestWait);
        if (workerRules || queueRules)
        {
            IReadOnlyList<WorkerIndexEntry>? entries = null;
            try
            {
                entries = await GrainFactory.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSourceFailed(logger, "worker registry", ex);
                o.Problems.Add("worker registry: unreachable; worker and queue alerts were left as they were");
                o.Unavailable.UnionWith([AlertRule.WorkerHealth, AlertRule.WorkerFailureRate, AlertRule.QueueDepth, AlertRule.QueueOldestWait]);
            }

            if (entries is not null)
            {
                var reads = new List<Task>();
                if (workerRules)
                {
                    reads.AddRange(entries.Where(e => e.Status == WorkerStatus.Running).Select(e => ReadWorker(e.Name, o, now)));
                }

                if (queueRules)
                {
                    reads.AddRange(entries.SelectMany(e => e.QueueNames).Distinct(StringComparer.Ordinal).Select(q => ReadQueue(q, o, now)));
                }

                await Task.WhenAll(reads);
            }
        }

        if (AlertRules.Values.Where(AlertRules.IsResource).Any(policy.IsEnabled))
        {
            await ReadResources(o);
        }

        return o;
    }

    private async Task ReadWorker(string name, AlertObservation o, DateTimeOffset now)
    {
        // One sample before the window too, so the first interval in it has a start to count from.
        var interval = workers.HealthCheckInterval;
        var window = options.FailureRateWindow;
        var lookback = (window > interval * 3 ? window : interval * 3) + interval;
        try
        {
            var samples = await GrainFactory.GetGrain<IWorkerGrain>(name).GetMonitoringHistory(now - lookback, null, 10_000);
            o.Readings.AddRange(AlertReadings.FromWorker(name, samples, now - window, window, options.FailureRateMinRuns));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, $"worker {name}", ex);
            o.Problems.Add($"worker '{name}': its monitoring samples could not be read");
            o.Unknown.Add((AlertRule.WorkerHealth, name));
            o.Unknown.Add((AlertRule.WorkerFailureRate, name));
        }
    }

    private async Task ReadQueue(string queue, AlertObservation o, DateTimeOffset now)
    {
        try
        {
            var stats = await QueuePartitions.Of(GrainFactory).GetStatsAsync(queue);
            o.Readings.AddRange(AlertReadings.FromQueue(stats));
            series.Record(queue, now, stats.Waiting, stats.OldestWaitingAge?.TotalSeconds ?? 0);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, $"queue {queue}", ex);
            o.Problems.Add($"queue '{queue}': its stats could not be read");
            o.Unknown.Add((AlertRule.QueueDepth, queue));
            o.Unknown.Add((AlertRule.QueueOldestWait, queue));
        }
    }

    private async Task ReadResources(AlertObservation o)
    {
        AlertRule[] rules = [AlertRule.SiloCpu, AlertRule.SiloMemory, AlertRule.ClusterCost];
        var monitor = GrainFactory.GetGrain<IResourceMonitorGrain>(0);
        ResourceMonitorStatus status;
        try
        {
            status = await monitor.GetStatus();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, "resource monitor", ex);
            o.Problems.Add("resource monitor: unreachable; resource alerts were left as they were");
            o.Unavailable.UnionWith(rules);
            return;
        }

        monitorGate = status.Gate;
        if (!status.Running)
        {
            var why = ResourceAlertsOff(status.Gate);
            foreach (var rule in rules)
            {
                o.Suspended[rule] = why;
            }

            return;
        }

        // The newest round only: a silo whose last snapshot is older than two intervals has left (or cannot be reached).
        if (status.LastSnapshotAt is { } last)
        {
            o.Readings.AddRange(AlertReadings.FromSnapshots(status.Latest.Where(s => s.At >= last - (status.Interval * 2))));
        }

        if (!policy.IsEnabled(AlertRule.ClusterCost))
        {
            return;
        }

        if (!costs.Configured)
        {
            o.Suspended[AlertRule.ClusterCost] = "No unit prices are configured (WORKER_COST_*): there is no cost estimate to compare.";
            return;
        }

        try
        {
            if (await monitor.GetCosts() is { } estimate && status.LastSnapshotAt is { } at)
            {
                var detail = $"{estimate.SampledSiloHours.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} silo-hours sampled";
                o.Readings.Add(new AlertReading(AlertRule.ClusterCost, "cluster", Math.Round(estimate.Total, 4), at, detail));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, "cost estimate", ex);
            o.Problems.Add("cost estimate: could not be read");
            o.Unknown.Add((AlertRule.ClusterCost, "cluster"));
        }
    }

    /// <summary>Why the resource rules are off: the original's "Resource alerts disabled" when monitoring is stopped.</summary>
    internal static string ResourceAlertsOff(ResourceMonitorGate gate) => gate switch
    {
        ResourceMonitorGate.StoppedByOperator => "Resource alerts disabled: resource monitoring was stopped by an operator.",
        ResourceMonitorGate.DisabledByEnvironment => "Resource alerts disabled: resource monitoring is off (WORKER_RESOURCE_MONITORING=false).",
        _ => "Resource alerts disabled: resource monitoring is not running (no active worker has features.resourceMonitoring: true).",
    };
}

using System.Globalization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Readings from what the cluster already measures: resource snapshots, queue stats and workers' monitoring samples.</summary>
internal static class AlertReadings
{
    /// <summary>Attempts completed and failed between consecutive samples whose later one is in the window, a drop in a counter
    /// (the replicas restarted) counting from zero.</summary>
    public static (long Completed, long Failed) Attempts(IReadOnlyList<WorkerMonitoringSample> samples, DateTimeOffset windowStart)
    {
        ArgumentNullException.ThrowIfNull(samples);
        long completed = 0, failed = 0;
        for (int i = 1; i < samples.Count; i++)
        {
            var (before, after) = (samples[i - 1], samples[i]);
            if (after.At <= windowStart)
            {
                continue;
            }

            bool restarted = after.Completed < before.Completed || after.Failed < before.Failed;
            completed += restarted ? after.Completed : after.Completed - before.Completed;
            failed += restarted ? after.Failed : after.Failed - before.Failed;
        }

        return (completed, failed);
    }

    /// <summary>CPU and memory of each silo's newest snapshot, each counted once (by its time).</summary>
    public static IEnumerable<AlertReading> FromSnapshots(IEnumerable<ResourceSnapshot> latest)
    {
        ArgumentNullException.ThrowIfNull(latest);
        foreach (var snapshot in latest)
        {
            yield return new AlertReading(AlertRule.SiloCpu, snapshot.Silo, snapshot.CpuPercent, snapshot.At);
            yield return new AlertReading(AlertRule.SiloMemory, snapshot.Silo, Math.Round(snapshot.MemoryPercent, 2), snapshot.At);
        }
    }

    /// <summary>The queue's waiting jobs and how long the oldest of them has waited (0 when none waits), read live.</summary>
    public static IEnumerable<AlertReading> FromQueue(QueueStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var paused = stats.Paused ? "the queue is paused" : null;
        yield return new AlertReading(AlertRule.QueueDepth, stats.Queue, stats.Waiting, Detail: paused);
        yield return new AlertReading(AlertRule.QueueOldestWait, stats.Queue, Math.Round(stats.OldestWaitingAge?.TotalSeconds ?? 0), Detail: paused);
    }

    /// <summary>A worker's latest health score and its failure rate over the window, from its monitoring samples (oldest first).</summary>
    public static IEnumerable<AlertReading> FromWorker(string worker, IReadOnlyList<WorkerMonitoringSample> samples, DateTimeOffset windowStart, TimeSpan window, int minRuns)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.LastOrDefault(s => s.Health is not null) is { Health: { } score } scored)
        {
            yield return new AlertReading(AlertRule.WorkerHealth, worker, score.Score, scored.At, Parts(score));
        }

        if (samples.Count > 1)
        {
            var (completed, failed) = Attempts(samples, windowStart);
            long runs = completed + failed;
            double rate = runs == 0 ? 0 : Math.Round(100.0 * failed / runs, 2);
            var detail = $"{failed.ToString("N0", CultureInfo.InvariantCulture)} of {runs.ToString("N0", CultureInfo.InvariantCulture)} attempts failed in the last {AlertMessages.Duration(window.TotalSeconds)}";
            yield return new AlertReading(AlertRule.WorkerFailureRate, worker, rate, samples[^1].At, runs < minRuns ? $"{detail}, fewer than {minRuns}" : detail, CanBreach: runs >= minRuns);
        }
    }

    private static string Parts(WorkerHealthScore s) =>
        $"success {s.SuccessPart}, latency {s.LatencyPart}, health check {s.CheckPart}, circuit {s.CircuitPart}, stalls {s.StallPart}";
}

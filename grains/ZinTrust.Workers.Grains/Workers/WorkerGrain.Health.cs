using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The worker's monitoring samples, health score and opt-in health policy (restarts on critical health).</summary>
internal sealed partial class WorkerGrain
{
    private async Task Sample()
    {
        if (!Exists || S.Status is not (WorkerStatus.Running or WorkerStatus.Starting) || S.MonitoringStopped || !S.Definition!.HealthMonitoringEnabled)
        {
            return;
        }

        var report = await GetStatus();
        if (S.MonitoringStopped)
        {
            return;   // stopped while this interleaved tick waited for the status: it leaves no sample and no score
        }

        var now = clock.GetUtcNow();
        (long Completed, long Failed, long DurationTicks, long Stalls) totals =
            (report.Completed, report.Failed, report.Replicas.Sum(r => r.TotalDuration.Ticks), report.Queue?.Counters.Stalled ?? 0);

        // Counters restart with replicas (and stalls with the queue's activation): a drop starts from zero.
        var since = totals.Completed < lastTotals.Completed || totals.Failed < lastTotals.Failed ? default : lastTotals;
        long completed = totals.Completed - since.Completed, failedRuns = totals.Failed - since.Failed;
        long stalls = Math.Max(0, totals.Stalls - (totals.Stalls < lastTotals.Stalls ? 0 : lastTotals.Stalls));
        long runs = completed + failedRuns;
        var average = runs == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, totals.DurationTicks - since.DurationTicks) / runs);
        lastTotals = totals;
        var circuitState = S.Definition!.CircuitBreakerEnabled ? S.Circuit : CircuitState.Closed;
        score = HealthScore.Compute(new HealthInputs(completed, failedRuns, average, latencyBaseline, health.Healthy, circuitState, stalls), now);
        latencyBaseline = HealthScore.NextBaseline(latencyBaseline, runs, average);
        history.Enqueue(new WorkerMonitoringSample
        {
            Health = score,
            Circuit = circuitState,
            At = now,
            Status = S.Status,
            Healthy = health.Healthy,
            Replicas = report.Replicas.Count(r => r.State == ReplicaState.Running),
            InFlight = report.InFlight,
            Completed = report.Completed,
            Failed = report.Failed,
            Waiting = report.Queue?.Waiting ?? 0,
            Active = report.Queue?.Active ?? 0,
            DeadLettered = report.Queue?.Failed ?? 0,
            AverageDuration = report.AverageDuration,
            Paused = S.Paused,
        });
        while (history.Count > MaxSamples)
        {
            history.Dequeue();
        }

        ApplyHealthPolicy(score, now);
    }

    /// <summary>Opt-in: restart a worker whose health stays critical, at most MaxRestarts per window.</summary>
    private void ApplyHealthPolicy(WorkerHealthScore current, DateTimeOffset now)
    {
        var policy = S.Definition!.HealthPolicy;
        criticalStreak = current.State == WorkerHealthState.Critical ? criticalStreak + 1 : 0;
        if (!policy.RestartWhenCritical || criticalStreak < policy.CriticalSamples)
        {
            return;
        }

        while (healthRestarts.Count > 0 && now - healthRestarts.Peek() > policy.RestartWindow)
        {
            healthRestarts.Dequeue();
        }

        criticalStreak = 0;   // counted afresh: at most one restart (or one warning) per CriticalSamples samples
        if (healthRestarts.Count >= policy.MaxRestarts)
        {
            LogHealthRestartLimited(logger, Name, current.Score, policy.MaxRestarts);
            return;
        }

        healthRestarts.Enqueue(now);
        LogHealthRestart(logger, Name, current.Score, policy.CriticalSamples);
        var reason = $"health {current.Score} was critical for {policy.CriticalSamples} samples";
        SystemDecisions.Record(audit, SystemDecisions.Entry("workers.restart", Name, now, reason));

        // This runs in an interleaved timer turn: queue the restart as an ordinary call rather than await it here.
        this.AsReference<IWorkerGrain>().Restart().Ignore();
    }
}

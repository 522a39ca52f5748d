using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Starting and stopping the worker's health monitoring: the sampling timer (every WORKER_HEALTH_CHECK_INTERVAL while the worker
/// runs) that records the monitoring history, computes the health score and applies the health policy. The switch is kept in
/// the worker's state, so a stopped monitor stays stopped across restarts of the worker and moves of this grain.
/// </summary>
internal sealed partial class WorkerGrain
{
    public async Task<WorkerInfo> SetMonitoring(bool enabled)
    {
        EnsureExists();
        if (S.MonitoringStopped != enabled)
        {
            return Info();   // already so: nothing written, nothing logged
        }

        S.MonitoringStopped = !enabled;
        S.UpdatedAt = clock.GetUtcNow();
        await state.WriteStateAsync();
        if (enabled)
        {
            if (S.Status is WorkerStatus.Running or WorkerStatus.Starting)
            {
                ArmSampling();   // its first tick is due at once: a fresh sample and score
            }
        }
        else
        {
            DisarmSampling();

            // A score nobody updates would go on describing the worker: it is dropped, and the health policy starts counting
            // afresh when monitoring starts again. The samples taken so far stay readable.
            score = null;
            criticalStreak = 0;
            failureStreaks.Clear();
        }

        LogMonitoring(logger, Name, enabled);
        return Info();
    }

    /// <summary>Arms the sampling timer and the worker's own health check unless monitoring is stopped (by an operator, or by
    /// features.healthMonitoring false); idempotent.</summary>
    private void ArmSampling()
    {
        if (S.MonitoringStopped || !S.Definition!.HealthMonitoringEnabled)
        {
            return;
        }

        sampling ??= this.RegisterGrainTimer(
            static (g, _) => g.Sample(),
            this,
            new GrainTimerCreationOptions(TimeSpan.Zero, options.HealthCheckInterval) { KeepAlive = true, Interleave = true });
        ArmProbe();
    }

    private void DisarmSampling()
    {
        sampling?.Dispose();
        sampling = null;
        DisarmProbe();
    }
}

using Microsoft.Extensions.Logging;
using Orleans.Storage;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The worker's durable metrics. Every <see cref="WorkersOptions.MetricsInterval"/> while the worker runs, it reads its replicas'
/// and queues' cumulative counters and counts what is new into hourly, daily and monthly buckets (<see cref="WorkerMetricsBook"/>).
/// They live in the grain's second state ("metrics", in the same grain storage as the definition), written at most every
/// <see cref="WorkersOptions.MetricsWriteInterval"/>, after a graceful stop of replicas and when the grain deactivates.
/// </summary>
/// <remarks>
/// What a crash can lose: the buckets and the baselines they were counted from are written together, so a new activation counts
/// on from the last write, and whatever a replica that is still alive ran since then is counted at its next collection (in the
/// period of that collection). Only the runs of replicas that died with it (or before their next report), since the last write,
/// are lost.
/// </remarks>
internal sealed partial class WorkerGrain
{
    private IGrainTimer? metricsTimer;
    private bool metricsDirty;
    private Task metricsWrites = Task.CompletedTask;

    private WorkerMetricsBook Book => new(metrics.State);

    public Task<WorkerMetricsHistory> GetMetrics(WorkerMetricsPeriod period, int limit)
    {
        EnsureExists();
        if (!Enum.IsDefined(period))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Not a metrics period.");
        }

        return Task.FromResult(new WorkerMetricsHistory
        {
            Period = period,
            Retention = WorkerMetricsBook.Retention(period),
            Buckets = Book.Read(period, limit, clock.GetUtcNow()),
            CollectedAt = metrics.State.CollectedAt,
            SavedAt = metrics.State.SavedAt,
        });
    }

    /// <summary>On deactivation (a move or a silo shutdown): writes what was collected, so the next activation starts from it.</summary>
    private async Task DeactivateMetricsAsync(CancellationToken cancellationToken)
    {
        DisarmMetrics();
        try
        {
            await SaveMetrics().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Deactivation ran out of time: the next activation counts on from the last write (see the remarks).
        }
    }

    /// <summary>Arms the collection timer; idempotent.</summary>
    private void ArmMetrics() =>
        // Interleaves: a collection waits on replicas and queues, and a stop that drains for minutes must not hold it up (nor it
        // a stop). Counting is done without awaiting in between, and a report that arrives late is recognised and ignored.
        metricsTimer ??= this.RegisterGrainTimer(
            static (g, _) => g.CollectMetrics(),
            this,
            new GrainTimerCreationOptions(TimeSpan.Zero, options.MetricsInterval) { KeepAlive = true, Interleave = true });

    private void DisarmMetrics()
    {
        metricsTimer?.Dispose();
        metricsTimer = null;
    }

    private async Task CollectMetrics()
    {
        if (!Exists || S.Status is not (WorkerStatus.Running or WorkerStatus.Starting))
        {
            return;
        }

        var definition = S.Definition!;
        IWorkerReplicaGrain[] replicas =
        [
            .. Enumerable.Range(0, definition.Replicas).Select(Replica),
            .. Enumerable.Range(0, S.Canary?.Replicas ?? 0).Select(CanaryReplica),
        ];
        string[] queues = [.. definition.ConsumedQueues.Select(q => q.Name)];
        var statuses = Task.WhenAll(replicas.Select(ReplicaStatusOrNull));
        var stats = await Task.WhenAll(queues.Select(QueueStatsOrNull));
        var reported = await statuses;

        var now = clock.GetUtcNow();
        var book = Book;
        bool changed = book.Observe(now);
        foreach (var status in reported.OfType<ReplicaStatus>())
        {
            changed |= book.AddReplica(status.ReplicaId, status, now);
        }

        foreach (var queue in stats.OfType<QueueStats>())
        {
            changed |= book.AddQueue(queue, now);
        }

        changed |= book.Forget(now, replicas.Select(r => r.GetPrimaryKeyString()).ToHashSet(StringComparer.Ordinal), queues.ToHashSet(StringComparer.Ordinal));
        metricsDirty |= changed;
        if (metricsDirty && (metrics.State.SavedAt is not { } saved || now - saved >= options.MetricsWriteInterval || now < saved))
        {
            await SaveMetrics();
        }
    }

    /// <summary>A replica's final report, from its graceful stop: its runs since the last collection are counted now.</summary>
    private void CountStopped(ReplicaStatus status)
    {
        if (Book.AddReplica(status.ReplicaId, status, clock.GetUtcNow()))
        {
            metricsDirty = true;
        }
    }

    /// <summary>Writes the metrics when something changed since the last write. Writes run one after another (two interleaved
    /// writes of one state would conflict on its ETag); a failed write leaves them to the next.</summary>
    private Task SaveMetrics() => metricsWrites = WriteMetrics(metricsWrites);

    private async Task WriteMetrics(Task previous)
    {
        await previous;
        if (!metricsDirty || !Exists)
        {
            return;   // nothing new, or the worker was deleted (its metrics with it)
        }

        metricsDirty = false;
        var savedBefore = metrics.State.SavedAt;
        metrics.State.SavedAt = clock.GetUtcNow();
        try
        {
            await metrics.WriteStateAsync();
        }
        catch (InconsistentStateException ex)
        {
            // Another activation of this worker wrote them (two activations for a moment after a silo loss). Its buckets agree with
            // its baselines, so counting on from what it wrote loses nothing a live replica still reports.
            LogMetricsConflict(logger, Name, ex);
            await ReloadMetrics();
        }
        catch (Exception ex)
        {
            metricsDirty = true;
            metrics.State.SavedAt = savedBefore;
            LogMetricsWriteFailed(logger, Name, ex);
        }
    }

    private async Task ReloadMetrics()
    {
        try
        {
            await metrics.ReadStateAsync();
        }
        catch (Exception ex)
        {
            LogMetricsWriteFailed(logger, Name, ex);
        }
    }

    /// <summary>The worker is deleted: its metrics go with it. A failure to clear them is logged rather than thrown, so the rest of
    /// the deletion (the registry entry) still happens.</summary>
    private async Task ClearMetrics()
    {
        DisarmMetrics();
        await metricsWrites;
        metricsDirty = false;
        try
        {
            await metrics.ClearStateAsync();
        }
        catch (Exception ex)
        {
            LogMetricsWriteFailed(logger, Name, ex);
        }

        metrics.State = new WorkerMetricsState();
    }

    private async Task<ReplicaStatus?> ReplicaStatusOrNull(IWorkerReplicaGrain replica)
    {
        try
        {
            return await replica.GetStatus();
        }
        catch (Exception ex)
        {
            // Its silo is gone or busy: its baseline stays, and the next collection counts what it ran meanwhile.
            LogMetricsReadFailed(logger, Name, replica.GetPrimaryKeyString(), ex);
            return null;
        }
    }

    private async Task<QueueStats?> QueueStatsOrNull(string queue)
    {
        try
        {
            return await QueuePartitions.Of(GrainFactory).GetStatsAsync(queue);
        }
        catch (Exception ex)
        {
            LogMetricsReadFailed(logger, Name, queue, ex);
            return null;
        }
    }

    [LoggerMessage(3040, LogLevel.Debug, "Worker {Worker}: reading {Source} for the durable metrics failed; counted at a later collection")]
    private static partial void LogMetricsReadFailed(ILogger logger, string worker, string source, Exception exception);

    [LoggerMessage(3041, LogLevel.Warning, "Worker {Worker}: writing the durable metrics failed; kept in memory for the next write")]
    private static partial void LogMetricsWriteFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(3042, LogLevel.Warning, "Worker {Worker}: the durable metrics were written by another activation; counting on from its write")]
    private static partial void LogMetricsConflict(ILogger logger, string worker, Exception exception);
}

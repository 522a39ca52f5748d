using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Once the silo is active: registers code-declared workers, then auto-starts workers by the seed's truth table.
/// Every silo does this; starts are idempotent, so a worker runs once in the cluster, not once per silo.
/// </summary>
internal sealed partial class WorkersStartup(
    IGrainFactory grains,
    WorkerSeeds seeds,
    SiloLocation location,
    ILocalSiloDetails silo,
    IOptions<WorkersOptions> options,
    ILogger<WorkersStartup> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private Task work = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkersStartup), ServiceLifecycleStage.Active, OnStart, OnStop);

    private Task OnStart(CancellationToken cancellationToken)
    {
        // In the background: the silo must not wait for workers to start (their replicas may land on silos still joining).
        work = Task.Run(() => RunAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStop(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await work.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public void Dispose() => stopping.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        if (location.Region is { } region)
        {
            try
            {
                // The region is known to the cluster from the moment one of its silos runs (placements name known regions).
                await grains.GetGrain<IDatacenterGrain>(0).DeclareRegion(region, silo.SiloAddress.ToParsableString(), location.Zone);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogDeclareFailed(logger, region, ex);
            }
        }

        foreach (var definition in seeds.Definitions)
        {
            try
            {
                await grains.GetGrain<IWorkerGrain>(definition.Name).Register(definition);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogSeedFailed(logger, definition.Name, ex);
            }
        }

        try
        {
            // Wakes the resource monitor (one-way): it decides from the registry whether to run; from then on its
            // reminder and the registry's notifications keep it right.
            await grains.GetGrain<IResourceMonitorGrain>(0).Reevaluate();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogMonitorWakeFailed(logger, ex);
        }

        try
        {
            // Idempotent: makes sure the cluster's alert evaluator runs (its timer and reminder), or does not when alerts are off.
            await grains.GetGrain<IAlertGrain>(IAlertGrain.Key).Ensure();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogAlertsWakeFailed(logger, ex);
        }

        var settings = options.Value;
        if (settings.AutoScalingEnabled)
        {
            try
            {
                // Idempotent: every silo makes sure the cluster's auto-scaler runs.
                await grains.GetGrain<IAutoScalerGrain>(0).Ensure();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogAutoScalerFailed(logger, ex);
            }
        }

        try
        {
            // Activates the compliance grain, whose reminder runs retention and re-encryption from then on (idempotent).
            await grains.GetGrain<IComplianceGrain>(0).GetStatus();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogComplianceWakeFailed(logger, ex);
        }

        IReadOnlyList<WorkerIndexEntry> workers;
        try
        {
            workers = await grains.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false);
            if (!workers.Any(w => IsCandidate(w, settings)) && seeds.Discovered(settings) is { Count: > 0 } discovered)
            {
                // The seed's fallback: persistence holds no auto-start candidates, so the definitions discovered in
                // the application's assemblies are used (registered if new; first one of a name wins).
                foreach (var definition in discovered)
                {
                    await grains.GetGrain<IWorkerGrain>(definition.Name).Register(definition);
                }

                LogDiscovered(logger, discovered.Count);
                workers = await grains.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogListFailed(logger, ex);
            return;
        }

        if (!settings.Enabled || !settings.AutoStart)
        {
            LogAutoStartOff(logger, settings.Enabled, settings.AutoStart);
            return;
        }

        foreach (var entry in workers)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (entry.Status == WorkerStatus.Running || !IsCandidate(entry, settings))
            {
                continue;
            }

            if (entry is { Status: WorkerStatus.Failed, Failure.Code: WorkersErrorCodes.HealthCheckFailed })
            {
                // Failed by its health check: it waits for an operator. A silo that starts (say, replacing a lost one) is not a
                // restart of the application, and must not undo the failure while the other silos run on.
                LogAutoStartSkippedFailed(logger, entry.Name);
                continue;
            }

            try
            {
                await grains.GetGrain<IWorkerGrain>(entry.Name).Start();
                LogAutoStarted(logger, entry.Name);
            }
            catch (Exception ex)
            {
                // A failed auto-start is logged and does not block the others (the seed's rule).
                LogAutoStartFailed(logger, entry.Name, ex);
            }
        }
    }

    private static bool IsCandidate(WorkerIndexEntry entry, WorkersOptions settings) =>
        AutoStartPolicy.ShouldAutoStart(settings.AutoStart, entry.AutoStart, entry.ActiveStatus, entry.PersistenceDriver, settings.PersistenceDriver);

    [LoggerMessage(3305, LogLevel.Information, "Auto-start passes over worker {Worker}: it failed its health check and waits for an operator's start or restart")]
    private static partial void LogAutoStartSkippedFailed(ILogger logger, string worker);

    [LoggerMessage(4006, LogLevel.Warning, "Waking the resource monitor failed; its reminder or the next silo start wakes it")]
    private static partial void LogMonitorWakeFailed(ILogger logger, Exception exception);

    [LoggerMessage(7220, LogLevel.Warning, "Waking the alert evaluator failed; its reminder or the next silo start wakes it")]
    private static partial void LogAlertsWakeFailed(ILogger logger, Exception exception);

    [LoggerMessage(4005, LogLevel.Information, "Persistence held no auto-start candidates; registered {Count} discovered worker definitions")]
    private static partial void LogDiscovered(ILogger logger, int count);

    [LoggerMessage(4000, LogLevel.Warning, "Registering code-declared worker {Worker} failed")]
    private static partial void LogSeedFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(4001, LogLevel.Information, "Auto-start skipped (WORKERS_ENABLED={Enabled}, WORKER_AUTO_START={AutoStart})")]
    private static partial void LogAutoStartOff(ILogger logger, bool enabled, bool autoStart);

    [LoggerMessage(4002, LogLevel.Warning, "Auto-start could not list workers")]
    private static partial void LogListFailed(ILogger logger, Exception exception);

    [LoggerMessage(4003, LogLevel.Information, "Worker {Worker} auto-started")]
    private static partial void LogAutoStarted(ILogger logger, string worker);

    [LoggerMessage(4010, LogLevel.Warning, "Starting the auto-scaler failed; its reminder retries")]
    private static partial void LogAutoScalerFailed(ILogger logger, Exception exception);

    [LoggerMessage(4004, LogLevel.Warning, "Auto-starting worker {Worker} failed")]
    private static partial void LogAutoStartFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(4013, LogLevel.Warning, "Waking the compliance grain failed; the next silo start wakes it")]
    private static partial void LogComplianceWakeFailed(ILogger logger, Exception exception);

    [LoggerMessage(4012, LogLevel.Warning, "Declaring this silo's region {Region} to the cluster failed; placing workers there needs it registered")]
    private static partial void LogDeclareFailed(ILogger logger, string region, Exception exception);
}

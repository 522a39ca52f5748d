using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The backstop that makes replicas survive the loss of their silo even when the worker grain died with it:
/// on every membership change, and every supervision interval, the oldest active silo (by address) asks each
/// running worker to re-assert its replicas (re-asserting re-activates lost replicas on live silos), and each schedule
/// to fire what is due (which re-activates a schedule whose silo died).
/// </summary>
internal sealed partial class ClusterSupervisor(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IGrainFactory grains,
    IOptions<WorkersOptions> options,
    ILogger<ClusterSupervisor> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly AsyncSignal changed = new();
    private Task loops = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterSupervisor), ServiceLifecycleStage.Active, OnStart, OnStop);

    private Task OnStart(CancellationToken cancellationToken)
    {
        var token = stopping.Token;
        loops = Task.WhenAll(Task.Run(() => WatchMembership(token), CancellationToken.None), Task.Run(() => Supervise(token), CancellationToken.None));
        return Task.CompletedTask;
    }

    private async Task OnStop(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await loops.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public void Dispose() => stopping.Dispose();

    private async Task WatchMembership(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                changed.Set();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task Supervise(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await changed.WaitAsync(options.Value.SupervisionInterval, cancellationToken);
            if (cancellationToken.IsCancellationRequested || !IsLeader())
            {
                continue;
            }

            try
            {
                var workers = await grains.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: false);
                foreach (var entry in workers.Where(w => w.Status is WorkerStatus.Running or WorkerStatus.Starting))
                {
                    await grains.GetGrain<IWorkerGrain>(entry.Name).Supervise();
                }

                // Schedules whose silo died come back now (their reminder may be a minute away) and fire what fell due
                // meanwhile, well inside the usual catch-up window.
                var schedules = await grains.GetGrain<IScheduleDirectoryGrain>(0).List();
                await Task.WhenAll(schedules.Select(id => grains.GetGrain<IScheduleTicks>(id).FireDue()));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogSuperviseFailed(logger, ex);
            }
        }
    }

    private bool IsLeader()
    {
        var oldest = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .Order()
            .FirstOrDefault();
        return oldest is not null && oldest.Equals(localSilo.SiloAddress);
    }

    [LoggerMessage(4100, LogLevel.Warning, "Cluster supervision round failed")]
    private static partial void LogSuperviseFailed(ILogger logger, Exception exception);
}

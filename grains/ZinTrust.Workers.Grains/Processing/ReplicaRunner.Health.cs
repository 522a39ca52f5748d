using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The replica's health loop: the worker's health check, run every health-check interval and reported to the worker.</summary>
internal sealed partial class ReplicaRunner
{
    private async Task HealthLoopAsync()
    {
        var token = shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            HealthCheckOutcome outcome;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(spec.HealthCheckTimeout ?? options.ConnectionTimeout);
                outcome = await healthCheck!.CheckAsync(spec.WorkerName, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                outcome = new HealthCheckOutcome(false, Describe(ex));
            }

            var result = new WorkerHealth { Healthy = outcome.Healthy, Message = outcome.Message, CheckedAt = clock.GetUtcNow(), Source = replicaId, Generation = spec.Generation };
            health = result;
            try
            {
                await worker.ReportHealth(result).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogHealthReportFailed(logger, replicaId, ex);
            }

            if (plugins.HasPlugins && !spec.PluginsOff)
            {
                await plugins.NotifyHealthCheckedAsync(
                    new PluginHealthCheckContext { WorkerName = spec.WorkerName, ReplicaId = replicaId, Silo = silo, Outcome = outcome, CheckedAt = result.CheckedAt.Value },
                    token).ConfigureAwait(false);
            }

            try
            {
                await Task.Delay(spec.HealthCheckInterval ?? options.HealthCheckInterval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

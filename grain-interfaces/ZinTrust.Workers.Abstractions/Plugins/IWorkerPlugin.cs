namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Code that watches (and may throttle) the worker system: registered on silos with <c>AddPlugin</c>, enabled or
/// disabled at run time for the whole cluster. Every hook has a no-op default, so a plugin overrides only what it
/// needs (only overridden hooks are ever called).
/// </summary>
/// <remarks>
/// <para>Plugins run in their order, then registration order. A hook is bounded by the plugin hook timeout
/// (default 5 s): its token fires then and the plugin is abandoned for that call. A hook that throws or times out
/// is logged and counted (<c>zintrust.plugin.errors</c>) and changes nothing: a job is never failed by a plugin,
/// and a throwing or timed-out <see cref="OnJobStartAsync"/> counts as <see cref="JobStartDecision.Proceed"/>.</para>
/// <para>Where hooks run: job hooks on the silo running the job (outside grain turns, possibly many at once);
/// health-check hooks on each replica's silo after each check (a worker's own HTTP or TCP check: on the silo hosting its
/// grain); worker start, stop and failover hooks once per event on the silo hosting the worker grain; scale hooks wherever
/// the scaling component runs; alert hooks on the silo running the cluster's alert evaluator.</para>
/// </remarks>
public interface IWorkerPlugin
{
    /// <summary>The plugin's name: unique on a silo, <c>^[a-zA-Z0-9_-]{3,50}$</c>; the REST routes use it.</summary>
    string Name { get; }

    /// <summary>
    /// Before a job's processor runs. <see cref="JobStartDecision.Defer"/> vetoes this attempt: the processor does not
    /// run, plugins later in the order are not asked, the job goes back to its queue for the delay without using up an
    /// attempt or recording an error, and the plugins already asked get no completed or failed call for it.
    /// </summary>
    ValueTask<JobStartDecision> OnJobStartAsync(PluginJobContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(JobStartDecision.Proceed);

    /// <summary>After the processor returned, before the result is reported to the queue.</summary>
    ValueTask OnJobCompleteAsync(PluginJobCompletedContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After the processor threw or timed out, before the failure is reported to the queue.</summary>
    ValueTask OnJobFailedAsync(PluginJobFailedContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a worker started (its replicas are up).</summary>
    ValueTask OnWorkerStartAsync(PluginWorkerContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a worker stopped (its replicas drained).</summary>
    ValueTask OnWorkerStopAsync(PluginWorkerContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After each run of a worker's health check, on each replica, or once per worker for a declared HTTP or TCP
    /// check (only workers with a health check).</summary>
    ValueTask OnHealthCheckAsync(PluginHealthCheckContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a worker's replica count changed by a scaling decision.</summary>
    ValueTask OnScaleAsync(PluginScaleContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a replica was re-established on another silo than the one it ran on (its silo died or left).</summary>
    ValueTask OnFailoverAsync(PluginFailoverContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a canary started or moved to another traffic share (on the silo running the worker's canary).</summary>
    ValueTask OnCanaryStepAsync(PluginCanaryContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a canary was rolled back (by itself or by an operator).</summary>
    ValueTask OnCanaryRollbackAsync(PluginCanaryContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After a canary was completed: its version is the worker's active one.</summary>
    ValueTask OnCanaryCompleteAsync(PluginCanaryContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>After an alert was raised, changed severity or was resolved (once per change, on the silo that evaluated it).</summary>
    ValueTask OnAlertAsync(PluginAlertContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

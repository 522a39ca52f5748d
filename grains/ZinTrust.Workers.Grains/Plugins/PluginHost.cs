using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The plugins of one silo and the calls into them. It caches the cluster-wide enabled set (from
/// <see cref="IPluginRegistryGrain"/>) so that no job ever waits on a grain call for plugins: every
/// <see cref="PluginOptions.RefreshInterval"/> it asks the registry whether the set's version changed.
/// </summary>
/// <remarks>
/// Polling a version rather than being notified: it needs no subscription to keep alive, survives the registry grain
/// moving or its silo dying, and a silo that missed a change catches up on its next poll. The cost is one small call
/// per interval on silos that have plugins (none on silos without), and a switch takes up to one interval to reach
/// every silo. Every hook call is isolated: an exception or a timeout (<see cref="PluginOptions.HookTimeout"/>) is
/// logged and counted (<c>zintrust.plugin.errors</c>) and never reaches the caller.
/// </remarks>
public sealed partial class PluginHost : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly string[] HookNames = [.. Enum.GetValues<PluginHook>().Select(h => JsonNamingPolicy.CamelCase.ConvertName(h.ToString()))];

    private readonly RegisteredPlugin[] plugins;
    private readonly IGrainFactory grains;
    private readonly PluginOptions options;
    private readonly TimeSpan startupRefreshTimeout;
    private readonly ILogger<PluginHost> logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private volatile PluginSet enabled;
    private volatile PluginSettings settings = new() { Version = -1 };
    private Task polling = Task.CompletedTask;

    public PluginHost(
        PluginCatalog catalog,
        IServiceProvider services,
        IGrainFactory grains,
        IOptions<PluginOptions> options,
        IOptions<WorkersOptions> workers,
        ILogger<PluginHost> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(workers);
        this.grains = grains;
        this.options = options.Value;
        this.logger = logger;
        startupRefreshTimeout = workers.Value.ConnectionTimeout;
        plugins = [.. catalog.Registrations
            .OrderBy(r => r.Order)
            .ThenBy(r => r.Sequence)
            .Select(r => new RegisteredPlugin(r.Factory(services) ?? throw new InvalidOperationException("A plugin factory returned null."), r.Order))];
        foreach (var plugin in plugins)
        {
            if (!WorkerValidation.IsValidName(plugin.Name))
            {
                throw new InvalidOperationException($"Plugin {plugin.Type.Name}: its name '{plugin.Name}' must match ^[a-zA-Z0-9_-]{{3,50}}$.");
            }
        }

        if (plugins.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new InvalidOperationException($"Two plugins are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(p => p.Type.Name))}); plugin names must be unique.");
        }

        // Until the registry has answered, every registered plugin is enabled.
        enabled = new PluginSet(plugins);
    }

    /// <summary>Any plugin registered on this silo (enabled or not). False: every hook call is skipped outright.</summary>
    public bool HasPlugins => plugins.Length > 0;

    /// <summary>The plugins registered on this silo, in run order.</summary>
    public IReadOnlyList<RegisteredPlugin> Plugins => plugins;

    /// <summary>The cluster-wide switches as last read by this silo (version -1: not read yet).</summary>
    public PluginSettings Settings => settings;

    /// <summary>The enabled plugins as of the last refresh.</summary>
    internal PluginSet Enabled => enabled;

    /// <summary>The name used for a hook in metrics, logs and the REST API (camelCase, e.g. <c>jobStart</c>).</summary>
    public static string HookName(PluginHook hook) => HookNames[(int)hook];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PluginHost), ServiceLifecycleStage.Active, OnStart, OnStop);

    public void Dispose() => stopping.Dispose();

    /// <summary>Re-reads the switches from the registry now (a no-op without plugins).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (!HasPlugins)
        {
            return;
        }

        var changed = await grains.GetGrain<IPluginRegistryGrain>(0).GetIfChanged(settings.Version).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (changed is not null)
        {
            Apply(changed);
        }
    }

    /// <summary>Tells enabled plugins that a worker's replica count changed (called by whatever scaled it).</summary>
    public ValueTask NotifyScaleAsync(PluginScaleContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.Scale], PluginHook.Scale, context, static (p, c, t) => p.OnScaleAsync(c, t), cancellationToken);

    /// <summary>Tells enabled plugins that a replica was re-established on another silo.</summary>
    public ValueTask NotifyFailoverAsync(PluginFailoverContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.Failover], PluginHook.Failover, context, static (p, c, t) => p.OnFailoverAsync(c, t), cancellationToken);

    public ValueTask NotifyCanaryStepAsync(PluginCanaryContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.CanaryStep], PluginHook.CanaryStep, context, static (p, c, t) => p.OnCanaryStepAsync(c, t), cancellationToken);

    public ValueTask NotifyCanaryRollbackAsync(PluginCanaryContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.CanaryRollback], PluginHook.CanaryRollback, context, static (p, c, t) => p.OnCanaryRollbackAsync(c, t), cancellationToken);

    public ValueTask NotifyCanaryCompleteAsync(PluginCanaryContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.CanaryComplete], PluginHook.CanaryComplete, context, static (p, c, t) => p.OnCanaryCompleteAsync(c, t), cancellationToken);

    /// <summary>Tells enabled plugins that an alert was raised, changed severity or was resolved.</summary>
    public ValueTask NotifyAlertAsync(PluginAlertContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.Alert], PluginHook.Alert, context, static (p, c, t) => p.OnAlertAsync(c, t), cancellationToken);

    public ValueTask NotifyWorkerStartedAsync(PluginWorkerContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.WorkerStart], PluginHook.WorkerStart, context, static (p, c, t) => p.OnWorkerStartAsync(c, t), cancellationToken);

    public ValueTask NotifyWorkerStoppedAsync(PluginWorkerContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.WorkerStop], PluginHook.WorkerStop, context, static (p, c, t) => p.OnWorkerStopAsync(c, t), cancellationToken);

    public ValueTask NotifyHealthCheckedAsync(PluginHealthCheckContext context, CancellationToken cancellationToken = default) =>
        InvokeAllAsync(enabled[PluginHook.HealthCheck], PluginHook.HealthCheck, context, static (p, c, t) => p.OnHealthCheckAsync(c, t), cancellationToken);

    /// <summary>
    /// Asks the job-start hooks of <paramref name="set"/> in order; the first deferral wins and later plugins are not
    /// asked. A hook that throws or times out counts as proceed.
    /// </summary>
    internal async ValueTask<JobStartDecision> BeforeJobAsync(PluginSet set, PluginJobContext context, CancellationToken cancellationToken)
    {
        foreach (var plugin in set[PluginHook.JobStart])
        {
            using var timeout = Timeout(cancellationToken);
            ValueTask<JobStartDecision> pending;
            try
            {
                pending = plugin.Instance.OnJobStartAsync(context, timeout.Token);
            }
            catch (Exception ex)
            {
                Failed(plugin, PluginHook.JobStart, ex);
                continue;
            }

            JobStartDecision decision;
            if (pending.IsCompletedSuccessfully)
            {
                decision = pending.Result;
            }
            else
            {
                var task = pending.AsTask();
                if (!await SettleAsync(plugin, PluginHook.JobStart, task, timeout, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                decision = task.Result;
            }

            if (decision.IsDeferred)
            {
                WorkersInstruments.PluginDeferrals.Add(
                    1,
                    new KeyValuePair<string, object?>(WorkersInstruments.PluginTag, plugin.Name),
                    new KeyValuePair<string, object?>(WorkersInstruments.WorkerTag, context.WorkerName));
                LogDeferred(logger, context.JobId, context.WorkerName, plugin.Name, decision.Delay, decision.Reason);
                return decision;
            }
        }

        return JobStartDecision.Proceed;
    }

    internal ValueTask AfterJobAsync(PluginSet set, PluginJobCompletedContext context, CancellationToken cancellationToken) =>
        InvokeAllAsync(set[PluginHook.JobComplete], PluginHook.JobComplete, context, static (p, c, t) => p.OnJobCompleteAsync(c, t), cancellationToken);

    internal ValueTask AfterJobAsync(PluginSet set, PluginJobFailedContext context, CancellationToken cancellationToken) =>
        InvokeAllAsync(set[PluginHook.JobFailed], PluginHook.JobFailed, context, static (p, c, t) => p.OnJobFailedAsync(c, t), cancellationToken);

    private async ValueTask InvokeAllAsync<TContext>(
        RegisteredPlugin[] targets,
        PluginHook hook,
        TContext context,
        Func<IWorkerPlugin, TContext, CancellationToken, ValueTask> call,
        CancellationToken cancellationToken)
    {
        foreach (var plugin in targets)
        {
            using var timeout = Timeout(cancellationToken);
            ValueTask pending;
            try
            {
                pending = call(plugin.Instance, context, timeout.Token);
            }
            catch (Exception ex)
            {
                Failed(plugin, hook, ex);
                continue;
            }

            if (pending.IsCompletedSuccessfully)
            {
                pending.GetAwaiter().GetResult();
            }
            else
            {
                await SettleAsync(plugin, hook, pending.AsTask(), timeout, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HookTimeout);
        return timeout;
    }

    /// <summary>Waits for a hook within its timeout; true when it returned in time without throwing.</summary>
    private async ValueTask<bool> SettleAsync(RegisteredPlugin plugin, PluginHook hook, Task task, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Timed out (or the caller is stopping, which is not the plugin's fault). A hook that ignores its token
            // keeps running unawaited; observe whatever it throws later so it never goes unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (!cancellationToken.IsCancellationRequested)
            {
                LogHookTimedOut(logger, plugin.Name, HookName(hook), options.HookTimeout);
                Count(plugin, hook);
            }

            return false;
        }
        catch (Exception ex)
        {
            Failed(plugin, hook, ex);
            return false;
        }
    }

    private void Failed(RegisteredPlugin plugin, PluginHook hook, Exception exception)
    {
        LogHookFailed(logger, plugin.Name, HookName(hook), exception);
        Count(plugin, hook);
    }

    private static void Count(RegisteredPlugin plugin, PluginHook hook) =>
        WorkersInstruments.PluginErrors.Add(
            1,
            new KeyValuePair<string, object?>(WorkersInstruments.PluginTag, plugin.Name),
            new KeyValuePair<string, object?>(WorkersInstruments.HookTag, HookName(hook)));

    private void Apply(PluginSettings next)
    {
        lock (gate)
        {
            var previous = settings;
            settings = next;
            enabled = new PluginSet(plugins.Where(p => next.IsEnabled(p.Name)));
            foreach (var plugin in plugins)
            {
                bool on = next.IsEnabled(plugin.Name);
                if (on != previous.IsEnabled(plugin.Name))
                {
                    LogSwitched(logger, plugin.Name, on, next.Version);
                }
            }
        }
    }

    private async Task OnStart(CancellationToken cancellationToken)
    {
        if (!HasPlugins)
        {
            return;
        }

        LogRegistered(logger, plugins.Length, string.Join(", ", plugins.Select(p => p.Name)));
        try
        {
            // Read the switches before this silo runs jobs (bounded: a registry that cannot answer yet is retried by the poll).
            await RefreshAsync(cancellationToken).WaitAsync(startupRefreshTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRefreshFailed(logger, ex);
        }

        var token = stopping.Token;
        polling = Task.Run(() => PollAsync(token), CancellationToken.None);
    }

    private async Task OnStop(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await polling.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.RefreshInterval, cancellationToken).ConfigureAwait(false);
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRefreshFailed(logger, ex);
            }
        }
    }
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// What a worker tells plugins: its starts and stops, and failovers — a replica that supervision re-established on
/// another silo than the one it last reported. The placement is remembered in memory only, so a failover that also
/// took this grain's own silo (the grain re-activates knowing nothing) is not reported.
/// </summary>
internal sealed partial class WorkerGrain
{
    private readonly Dictionary<int, string> replicaSilos = [];
    private Task pluginEvents = Task.CompletedTask;

    private void TrackReplica(int index, string? at)
    {
        if (at is null)
        {
            return;
        }

        if (replicaSilos.TryGetValue(index, out var before) && before != at)
        {
            PublishToPlugins(
                new PluginFailoverContext { WorkerName = Name, ReplicaId = new ReplicaKey(Name, index, null, S.Region).ToString(), FromSilo = before, ToSilo = at, At = clock.GetUtcNow() },
                static (p, c) => p.NotifyFailoverAsync(c));
        }

        replicaSilos[index] = at;
    }

    private void ForgetReplicas(int from)
    {
        foreach (var index in replicaSilos.Keys.Where(i => i >= from).ToArray())
        {
            replicaSilos.Remove(index);
        }
    }

    private PluginWorkerContext WorkerEvent() => new()
    {
        WorkerName = Name,
        QueueName = S.Definition!.QueueName,
        Version = S.Definition.Version,
        Replicas = S.Definition.Replicas,
        Generation = S.Generation,
        Silo = silo,
        At = clock.GetUtcNow(),
    };

    /// <summary>
    /// Runs plugin hooks off the grain's turn (a slow plugin never delays a start or stop), one event after another in
    /// the order they happened. The host catches and bounds every hook, so the chain never faults.
    /// </summary>
    private void PublishToPlugins<TContext>(TContext context, Func<PluginHost, TContext, ValueTask> notify)
    {
        if (!plugins.HasPlugins || (Exists && !S.Definition!.Feature(WorkerFeatures.Plugins)))
        {
            return;   // no plugins here, or features.plugins is false for this worker
        }

        var host = plugins;
        pluginEvents = pluginEvents.ContinueWith(
            _ => notify(host, context).AsTask(),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default).Unwrap();
    }
}

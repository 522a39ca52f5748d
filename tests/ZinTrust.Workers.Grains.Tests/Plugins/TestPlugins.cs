using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Records every hook into a journal (the completion hook finishes asynchronously, the others synchronously).</summary>
public sealed class RecordingPlugin(string name, HookJournal journal) : IWorkerPlugin
{
    public string Name => name;

    public ValueTask<JobStartDecision> OnJobStartAsync(PluginJobContext context, CancellationToken cancellationToken)
    {
        journal.Add(Name, "jobStart", context.JobId, context.Silo, context);
        return ValueTask.FromResult(JobStartDecision.Proceed);
    }

    public async ValueTask OnJobCompleteAsync(PluginJobCompletedContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        journal.Add(Name, "jobComplete", context.Job.JobId, context.Job.Silo, context);
    }

    public ValueTask OnJobFailedAsync(PluginJobFailedContext context, CancellationToken cancellationToken) =>
        Record("jobFailed", context.Job.JobId, context.Job.Silo, context);

    public ValueTask OnWorkerStartAsync(PluginWorkerContext context, CancellationToken cancellationToken) =>
        Record("workerStart", context.WorkerName, context.Silo, context);

    public ValueTask OnWorkerStopAsync(PluginWorkerContext context, CancellationToken cancellationToken) =>
        Record("workerStop", context.WorkerName, context.Silo, context);

    public ValueTask OnHealthCheckAsync(PluginHealthCheckContext context, CancellationToken cancellationToken) =>
        Record("healthCheck", context.WorkerName, context.Silo, context);

    public ValueTask OnScaleAsync(PluginScaleContext context, CancellationToken cancellationToken) =>
        Record("scale", context.WorkerName, null, context);

    public ValueTask OnFailoverAsync(PluginFailoverContext context, CancellationToken cancellationToken) =>
        Record("failover", context.WorkerName, context.ToSilo, context);

    public ValueTask OnCanaryStepAsync(PluginCanaryContext context, CancellationToken cancellationToken) =>
        Record("canaryStep", context.WorkerName, null, context);

    public ValueTask OnCanaryRollbackAsync(PluginCanaryContext context, CancellationToken cancellationToken) =>
        Record("canaryRollback", context.WorkerName, null, context);

    public ValueTask OnCanaryCompleteAsync(PluginCanaryContext context, CancellationToken cancellationToken) =>
        Record("canaryComplete", context.WorkerName, null, context);

    public ValueTask OnAlertAsync(PluginAlertContext context, CancellationToken cancellationToken) =>
        Record("alert", context.Alert.Subject, context.Silo, context);

    private ValueTask Record(string hook, string subject, string? silo, object context)
    {
        journal.Add(Name, hook, subject, silo, context);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Throws in every hook for workers whose name starts with a prefix: synchronously at job start, asynchronously elsewhere.</summary>
public sealed class ThrowingPlugin(string name, string workerPrefix) : IWorkerPlugin
{
    public string Name => name;

    public ValueTask<JobStartDecision> OnJobStartAsync(PluginJobContext context, CancellationToken cancellationToken) =>
        Mine(context.WorkerName) ? throw new InvalidOperationException("plugin bug at job start") : ValueTask.FromResult(JobStartDecision.Proceed);

    public ValueTask OnJobCompleteAsync(PluginJobCompletedContext context, CancellationToken cancellationToken) => Throw(context.Job.WorkerName);

    public ValueTask OnJobFailedAsync(PluginJobFailedContext context, CancellationToken cancellationToken) => Throw(context.Job.WorkerName);

    public ValueTask OnWorkerStartAsync(PluginWorkerContext context, CancellationToken cancellationToken) => Throw(context.WorkerName);

    public ValueTask OnWorkerStopAsync(PluginWorkerContext context, CancellationToken cancellationToken) => Throw(context.WorkerName);

    public ValueTask OnHealthCheckAsync(PluginHealthCheckContext context, CancellationToken cancellationToken) => Throw(context.WorkerName);

    public ValueTask OnScaleAsync(PluginScaleContext context, CancellationToken cancellationToken) => Throw(context.WorkerName);

    public ValueTask OnFailoverAsync(PluginFailoverContext context, CancellationToken cancellationToken) => Throw(context.WorkerName);

    private bool Mine(string worker) => worker.StartsWith(workerPrefix, StringComparison.Ordinal);

    private async ValueTask Throw(string worker)
    {
        await Task.Yield();
        if (Mine(worker))
        {
            throw new InvalidOperationException("plugin bug");
        }
    }
}

/// <summary>Hangs for workers whose name starts with a prefix: ignoring its token at job start, honouring it at completion.</summary>
public sealed class HangingPlugin(string name, string workerPrefix) : IWorkerPlugin
{
    private readonly TaskCompletionSource<JobStartDecision> never = new();

    public string Name => name;

    public ValueTask<JobStartDecision> OnJobStartAsync(PluginJobContext context, CancellationToken cancellationToken) =>
        context.WorkerName.StartsWith(workerPrefix, StringComparison.Ordinal) ? new(never.Task) : ValueTask.FromResult(JobStartDecision.Proceed);

    public async ValueTask OnJobCompleteAsync(PluginJobCompletedContext context, CancellationToken cancellationToken)
    {
        if (context.Job.WorkerName.StartsWith(workerPrefix, StringComparison.Ordinal))
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }
}

/// <summary>Defers every job of one queue while closed.</summary>
public sealed class ThrottlePlugin(string name, string queue, TimeSpan delay) : IWorkerPlugin
{
    private volatile bool closed = true;

    public string Name => name;

    public bool Closed
    {
        get => closed;
        set => closed = value;
    }

    public ValueTask<JobStartDecision> OnJobStartAsync(PluginJobContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Queue == queue && closed ? JobStartDecision.Defer(delay, "window closed") : JobStartDecision.Proceed);
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Hosts one <see cref="ReplicaRunner"/> on the silo where it is activated. It holds no persistent state: the
/// worker grain re-sends the spec on every supervision tick, which re-activates a replica lost with its silo.
/// </summary>
[Reentrant] // Wake, CancelJob and GetStatus must get through while Stop awaits a drain
[ReplicaSpreadPlacement]
#pragma warning disable CA1001 // the runner is disposed where the grain's life ends: Stop and OnDeactivateAsync
internal sealed partial class WorkerReplicaGrain : Grain, IWorkerReplicaGrain
{
    private readonly ProcessorCatalog catalog;
    private readonly ProcessorSpecLoader specs;
    private readonly IServiceProvider services;
    private readonly TimeProvider clock;
    private readonly WorkersOptions options;
    private readonly PluginHost plugins;
    private readonly JobPipeline pipeline;
    private readonly ILocalSiloDetails silo;
    private readonly LocalReplicas local;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private ReplicaRunner? runner;
    private ProcessorLease? specLease;   // held while the runner runs a processor spec's code
    private IGrainTimer? keepAlive;
    private string? lastError;

    public WorkerReplicaGrain(
        ProcessorCatalog catalog,
        ProcessorSpecLoader specs,
        IServiceProvider services,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        IOptions<WorkersOptions> options,
        PluginHost plugins,
        JobPipeline pipeline,
        ILocalSiloDetails silo,
        LocalReplicas local,
        ILoggerFactory loggerFactory)
    {
        this.catalog = catalog;
        this.specs = specs;
        this.services = services;
        this.clock = clock;
        this.options = options.Value;
        this.plugins = plugins;
        this.pipeline = pipeline;
        this.silo = silo;
        this.local = local;
        this.loggerFactory = loggerFactory;
        logger = loggerFactory.CreateLogger<WorkerReplicaGrain>();
    }

    private string ReplicaId => this.GetPrimaryKeyString();

    public async Task<ReplicaStatus> Start(ReplicaSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (runner is { } current)
        {
            if (current.Generation == spec.Generation && current.Spec.QueueName == spec.QueueName && SameQueues(current.Spec, spec) && current.Spec.ProcessorName == spec.ProcessorName && current.Spec.ProcessorSpec == spec.ProcessorSpec
                && current.Spec.Version == spec.Version && SameChecksAndFlags(current.Spec, spec))
            {
                current.SetConcurrency(spec.Concurrency);
                return current.Snapshot(silo.SiloAddress.ToString());
            }

            if (current.Generation > spec.Generation)
            {
                // A delayed call from before a restart: the newer generation keeps running.
                return current.Snapshot(silo.SiloAddress.ToString());
            }

            runner = null;
            local.Remove(ReplicaId, current);
            await current.StopAsync(TimeSpan.Zero);
            current.Dispose();
        }

        var factory = await Processor(spec);

        runner = new ReplicaRunner(
            spec,
            ReplicaId,
            GrainFactory,
            factory,
            spec.HealthCheckOff ? null : catalog.FindHealthCheck(spec.HealthCheck ?? spec.WorkerName, services),
            services,
            clock,
            options,
            plugins,
            pipeline,
            silo.SiloAddress.ToString(),
            loggerFactory.CreateLogger<ReplicaRunner>());
        runner.Start();
        local.Add(ReplicaId, runner);
        lastError = null;
        keepAlive ??= this.RegisterGrainTimer(
            static _ => Task.CompletedTask,
            new GrainTimerCreationOptions(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)) { KeepAlive = true });
        return runner.Snapshot(silo.SiloAddress.ToString());
    }

    public async Task<ReplicaStatus> Stop(TimeSpan drainTimeout)
    {
        var current = runner;
        if (current is null)
        {
            return Stopped();
        }

        runner = null;
        local.Remove(ReplicaId, current);
        await current.StopAsync(drainTimeout);
        var status = current.Snapshot(silo.SiloAddress.ToString());
        current.Dispose();
        ReleaseSpec();
        keepAlive?.Dispose();
        keepAlive = null;
        this.DeactivateOnIdle();
        return status;
    }

    public Task SetConcurrency(int concurrency)
    {
        runner?.SetConcurrency(concurrency);
        return Task.CompletedTask;
    }

    public Task<ReplicaStatus> GetStatus() =>
        Task.FromResult(runner?.Snapshot(silo.SiloAddress.ToString()) ?? Stopped());

    public Task Wake()
    {
        runner?.Wake();
        return Task.CompletedTask;
    }

    public Task CancelJob(string jobId)
    {
        runner?.Cancel(jobId);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (runner is { } current)
        {
            // The silo is shutting down (or the activation is being moved): hand in-flight jobs back.
            LogDeactivating(logger, ReplicaId, reason.Description);
            runner = null;
            local.Remove(ReplicaId, current);
            await current.StopAsync(options.ShutdownDrainTimeout);
            current.Dispose();
        }

        ReleaseSpec();
    }

    /// <summary>The processor to run: the spec's (loaded on this silo, its digest checked) or the one registered by name. A spec
    /// held for the previous runner is released after the new one is taken, so a restart with the same spec does not reload it.</summary>
    private async Task<Func<IServiceProvider, IJobProcessor>> Processor(ReplicaSpec spec)
    {
        var previous = specLease;
        specLease = null;
        try
        {
            if (spec.ProcessorSpec is { } processorSpec)
            {
                try
                {
                    specLease = await specs.AcquireAsync(processorSpec, CancellationToken.None);
                }
                catch (WorkersException ex)
                {
                    lastError = $"{ex.Message} (silo {silo.SiloAddress})";
                    throw new WorkersException(ex.Code, lastError);
                }

                return specLease.Factory;
            }

            if (catalog.Find(spec.ProcessorName, services) is { } factory)
            {
                return factory;
            }

            lastError = $"No processor named '{spec.ProcessorName}' is registered on silo {silo.SiloAddress}.";
            throw new WorkersException(WorkersErrorCodes.ProcessorNotFound, lastError);
        }
        finally
        {
            previous?.Dispose();
        }
    }

    private void ReleaseSpec()
    {
        specLease?.Dispose();
        specLease = null;
    }

    private ReplicaStatus Stopped() => new()
    {
        ReplicaId = ReplicaId,
        State = lastError is null ? ReplicaState.Stopped : ReplicaState.Failed,
        Silo = silo.SiloAddress.ToString(),
        LastError = lastError,
    };

    [LoggerMessage(2100, LogLevel.Information, "Replica {Replica} deactivating while running ({Reason}); draining")]
    private static partial void LogDeactivating(ILogger logger, string replica, string reason);

    private static bool SameQueues(ReplicaSpec a, ReplicaSpec b) =>
        (a.Queues ?? []).SequenceEqual(b.Queues ?? []) && a.Partitions == b.Partitions;

    /// <summary>The same health check (and its timing) and the same flags: otherwise the runner is replaced.</summary>
    private static bool SameChecksAndFlags(ReplicaSpec a, ReplicaSpec b) =>
        a.HealthCheck == b.HealthCheck && a.HealthCheckOff == b.HealthCheckOff && a.HealthCheckInterval == b.HealthCheckInterval
        && a.HealthCheckTimeout == b.HealthCheckTimeout && a.TracingOff == b.TracingOff && a.MetricsOff == b.MetricsOff && a.PluginsOff == b.PluginsOff;
}

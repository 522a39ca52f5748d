using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Registers processors, health checks, resolvers, plugins and code-declared workers on a silo.</summary>
public sealed class WorkersBuilder
{
    private readonly ProcessorCatalog catalog;
    private readonly WorkerSeeds seeds;
    private readonly PluginCatalog plugins;

    internal WorkersBuilder(IServiceCollection services, ProcessorCatalog catalog, WorkerSeeds seeds, PluginCatalog plugins)
    {
        Services = services;
        this.catalog = catalog;
        this.seeds = seeds;
        this.plugins = plugins;
    }

    public IServiceCollection Services { get; }

    /// <summary>A processor written as a lambda.</summary>
    public WorkersBuilder AddProcessor(string name, Func<JobContext, Task<object?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var processor = new DelegateProcessor(handler);
        catalog.AddProcessor(CheckName(name), _ => processor);
        return this;
    }

    /// <summary>A typed processor written as a lambda; the payload is deserialised first.</summary>
    public WorkersBuilder AddProcessor<TPayload>(string name, Func<TPayload, JobContext, Task<object?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var processor = new TypedProcessor<TPayload>(new DelegateProcessor<TPayload>(handler));
        catalog.AddProcessor(CheckName(name), _ => processor);
        return this;
    }

    /// <summary>A processor type, activated from DI in a fresh scope for every job.</summary>
    public WorkersBuilder AddProcessor<TProcessor>(string name)
        where TProcessor : class, IJobProcessor
    {
        catalog.AddProcessor(CheckName(name), static sp => ActivatorUtilities.GetServiceOrCreateInstance<TProcessor>(sp));
        return this;
    }

    /// <summary>A typed processor type, activated from DI in a fresh scope for every job.</summary>
    public WorkersBuilder AddTypedProcessor<TProcessor, TPayload>(string name)
        where TProcessor : class, IJobProcessor<TPayload>
    {
        catalog.AddProcessor(CheckName(name), static sp => new TypedProcessor<TPayload>(ActivatorUtilities.GetServiceOrCreateInstance<TProcessor>(sp)));
        return this;
    }

    /// <summary>A sink of job events (<see cref="IJobEventSink"/>), activated from DI: it receives every durable transition of
    /// the queues on each silo, in commit order, off the queues' turns.</summary>
    public WorkersBuilder AddEventSink<TSink>()
        where TSink : class, IJobEventSink
    {
        Services.TryAddSingleton<TSink>();
        Services.AddSingleton<IJobEventSink>(static sp => sp.GetRequiredService<TSink>());
        return this;
    }

    /// <summary>A sink of job events, as an instance.</summary>
    public WorkersBuilder AddEventSink(IJobEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Services.AddSingleton(sink);
        return this;
    }

    /// <summary>A filter of the processor pipeline (<see cref="IJobFilter"/>), activated from DI: it runs around every attempt,
    /// after the filters registered before it (they are further out) and before those registered after it.</summary>
    public WorkersBuilder AddJobFilter<TFilter>()
        where TFilter : class, IJobFilter
    {
        Services.TryAddSingleton<TFilter>();
        Services.AddSingleton<IJobFilter>(static sp => sp.GetRequiredService<TFilter>());
        return this;
    }

    /// <summary>A filter of the processor pipeline, as an instance.</summary>
    public WorkersBuilder AddJobFilter(IJobFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Services.AddSingleton(filter);
        return this;
    }

    /// <summary>A resolver asked for processor names nobody registered.</summary>
    public WorkersBuilder AddProcessorResolver(IProcessorResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        catalog.AddResolver(_ => resolver);
        return this;
    }

    /// <summary>A resolver type activated from DI.</summary>
    public WorkersBuilder AddProcessorResolver<TResolver>()
        where TResolver : class, IProcessorResolver
    {
        Services.TryAddSingleton<TResolver>();
        catalog.AddResolver(static sp => sp.GetRequiredService<TResolver>());
        return this;
    }

    /// <summary>A health check for one worker, as a lambda.</summary>
    public WorkersBuilder AddHealthCheck(string workerName, Func<CancellationToken, Task<HealthCheckOutcome>> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var healthCheck = new DelegateHealthCheck(check);
        catalog.AddHealthCheck(CheckName(workerName), _ => healthCheck);
        return this;
    }

    /// <summary>A health check type for one worker, activated from DI.</summary>
    public WorkersBuilder AddHealthCheck<THealthCheck>(string workerName)
        where THealthCheck : class, IWorkerHealthCheck
    {
        catalog.AddHealthCheck(CheckName(workerName), static sp => ActivatorUtilities.GetServiceOrCreateInstance<THealthCheck>(sp));
        return this;
    }

    /// <summary>A worker declared in code: registered at silo start when it does not exist yet (first one of a name wins).</summary>
    public WorkersBuilder AddWorker(WorkerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = WorkerValidation.Validate(definition);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Worker '{definition.Name}': {errors[0].Message}", nameof(definition));
        }

        seeds.Add(definition);
        return this;
    }

    /// <summary>
    /// Registers every processor class in <paramref name="assembly"/> marked with <see cref="ZinTrustWorkerAttribute"/>
    /// (under the worker's name, activated from DI per job), and remembers its definition for discovery. Classes are
    /// taken in name order; for a name seen twice the first wins.
    /// </summary>
    public WorkersBuilder AddWorkersFromAssembly(System.Reflection.Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var types = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .Select(t => (Type: t, Worker: (ZinTrustWorkerAttribute?)Attribute.GetCustomAttribute(t, typeof(ZinTrustWorkerAttribute))))
            .Where(x => x.Worker is not null)
            .OrderBy(x => x.Type.FullName, StringComparer.Ordinal);
        foreach (var (type, worker) in types)
        {
            var definition = worker!.ToDefinition(WorkerValidation.MaxConcurrency);
            var errors = WorkerValidation.Validate(definition);
            if (errors.Count > 0)
            {
                throw new ArgumentException($"[ZinTrustWorker] on {type.Name}: {errors[0].Message}", nameof(assembly));
            }

            if (!seeds.AddDiscovered(worker.Name, options => worker.ToDefinition(options.DefaultConcurrency) with { JobOptions = options.DefaultJobOptions() }))
            {
                continue;
            }

            catalog.AddProcessor(worker.Name, ProcessorFactory(type));
        }

        return this;
    }

    /// <summary>
    /// A plugin type, activated from DI as a singleton. Plugins run by <paramref name="order"/> (lower first), then in
    /// registration order; each is enabled until someone disables it (cluster-wide, at run time).
    /// </summary>
    public WorkersBuilder AddPlugin<TPlugin>(int order = 0)
        where TPlugin : class, IWorkerPlugin
    {
        Services.TryAddSingleton<TPlugin>();
        plugins.Add(static sp => sp.GetRequiredService<TPlugin>(), order);
        return this;
    }

    /// <summary>A plugin instance (see <see cref="AddPlugin{TPlugin}(int)"/> for the order).</summary>
    public WorkersBuilder AddPlugin(IWorkerPlugin plugin, int order = 0)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        plugins.Add(_ => plugin, order);
        return this;
    }

    /// <summary>
    /// This silo's region (and zone), published to the cluster as silo metadata: replicas of a worker placed in a region run
    /// only on that region's silos. Ids are 2..32 lower-case letters, digits and '-'. Needs the silo builder's
    /// <c>AddZinTrustWorkers</c> (it registers Orleans' silo metadata).
    /// </summary>
    public WorkersBuilder InRegion(string region, string? zone = null)
    {
        if (!WorkerValidation.IsValidRegion(region))
        {
            throw new ArgumentException($"Region '{region}' must be 2..32 lower-case letters, digits and '-' (for example us-west).", nameof(region));
        }

        if (zone is not null && !WorkerValidation.IsValidRegion(zone))
        {
            throw new ArgumentException($"Zone '{zone}' must be 2..32 lower-case letters, digits and '-' (for example us-west-1a).", nameof(zone));
        }

        var location = Services.LastOrDefault(d => d.ServiceType == typeof(SiloLocation))?.ImplementationInstance as SiloLocation
            ?? throw new InvalidOperationException("InRegion needs ISiloBuilder.AddZinTrustWorkers (the silo's metadata is registered there).");
        location.Metadata[SiloLocation.RegionKey] = region;
        if (zone is not null)
        {
            location.Metadata[SiloLocation.ZoneKey] = zone;
        }

        return this;
    }

    public WorkersBuilder Configure(Action<WorkersOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// The circuit of a named dependency that processors call through <c>context.CallDependencyAsync(name, …)</c>
    /// (unconfigured names get the defaults: 5 failures in a minute open it for a minute, 3 trials close it).
    /// Configure the same options on every silo.
    /// </summary>
    public WorkersBuilder ConfigureCircuitBreaker(string dependency, Func<CircuitBreakerOptions, CircuitBreakerOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dependency);
        ArgumentNullException.ThrowIfNull(configure);
        var options = configure(new CircuitBreakerOptions());
        if (options.Problems().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException($"Circuit breaker '{dependency}': {problem}.", nameof(configure));
        }

        Services.AddSingleton(new DependencyCircuit(dependency, options));
        return this;
    }

    /// <summary>The resource monitor's gate, interval, reminder and history.</summary>
    public WorkersBuilder ConfigureResourceMonitor(Action<ResourceMonitorOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Alert rules, their thresholds, hold and hysteresis, and the alert webhook.</summary>
    public WorkersBuilder ConfigureAlerts(Action<AlertOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Unit prices for cost estimates.</summary>
    public WorkersBuilder ConfigureCosts(Action<CostOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Retention of finished jobs and dead letters, and the compliance sweeps' schedule.</summary>
    public WorkersBuilder ConfigureCompliance(Action<ComplianceOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Where processor specs may come from (WORKER_PROCESSOR_ROOT, REMOTE_PROCESSOR_ALLOWLIST) and how they are fetched and cached.</summary>
    public WorkersBuilder ConfigureProcessorSpecs(Action<ProcessorSpecOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>The audit log: on or off, retention, the writer's batches.</summary>
    public WorkersBuilder ConfigureAudit(Action<AuditLogOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Plugin hook timeout and refresh interval.</summary>
    public WorkersBuilder ConfigurePlugins(Action<PluginOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    private static Func<IServiceProvider, IJobProcessor> ProcessorFactory(Type type)
    {
        if (typeof(IJobProcessor).IsAssignableFrom(type))
        {
            return sp => (IJobProcessor)ActivatorUtilities.GetServiceOrCreateInstance(sp, type);
        }

        var typed = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJobProcessor<>))
            ?? throw new ArgumentException($"[ZinTrustWorker] on {type.Name}: the class must implement IJobProcessor or IJobProcessor<TPayload>.", nameof(type));
        var adapter = typeof(TypedProcessor<>).MakeGenericType(typed.GetGenericArguments()[0]);
        return sp => (IJobProcessor)Activator.CreateInstance(adapter, ActivatorUtilities.GetServiceOrCreateInstance(sp, type))!;
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}

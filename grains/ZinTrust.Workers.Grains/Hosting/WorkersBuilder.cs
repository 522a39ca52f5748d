using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Registers processors, health checks, resolvers and code-declared workers on a silo.</summary>
public sealed class WorkersBuilder
{
    private readonly ProcessorCatalog catalog;
    private readonly WorkerSeeds seeds;

    internal WorkersBuilder(IServiceCollection services, ProcessorCatalog catalog, WorkerSeeds seeds)
    {
        Services = services;
        this.catalog = catalog;
        this.seeds = seeds;
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

    public WorkersBuilder Configure(Action<WorkersOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}

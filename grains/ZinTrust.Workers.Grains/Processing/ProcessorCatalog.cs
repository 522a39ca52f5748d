using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The processors and health checks a silo can run, by name. Filled by <see cref="WorkersBuilder"/>;
/// resolution order: a processor registered under the name, then each resolver in registration order.
/// </summary>
public sealed class ProcessorCatalog
{
    private readonly Dictionary<string, Func<IServiceProvider, IJobProcessor>> processors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<IServiceProvider, IWorkerHealthCheck>> healthChecks = new(StringComparer.Ordinal);
    private readonly List<Func<IServiceProvider, IProcessorResolver>> resolvers = [];

    public IReadOnlyCollection<string> ProcessorNames => processors.Keys;

    internal void AddProcessor(string name, Func<IServiceProvider, IJobProcessor> factory)
    {
        if (!processors.TryAdd(name, factory))
        {
            throw new InvalidOperationException($"A processor named '{name}' is already registered.");
        }
    }

    internal void AddResolver(Func<IServiceProvider, IProcessorResolver> resolver) => resolvers.Add(resolver);

    internal void AddHealthCheck(string workerName, Func<IServiceProvider, IWorkerHealthCheck> factory) => healthChecks[workerName] = factory;

    /// <summary>A factory that builds the named processor from a (per-job) service provider, or null when unknown.</summary>
    public Func<IServiceProvider, IJobProcessor>? Find(string name, IServiceProvider services)
    {
        if (processors.TryGetValue(name, out var factory))
        {
            return factory;
        }

        foreach (var resolverFactory in resolvers)
        {
            var resolver = resolverFactory(services);
            if (resolver.Resolve(name, services) is not null)
            {
                return sp => resolver.Resolve(name, sp) ?? throw new WorkersException(WorkersErrorCodes.ProcessorNotFound, $"Processor '{name}' is no longer resolvable.");
            }
        }

        return null;
    }

    /// <summary>Whether a health check is registered under <paramref name="name"/> (a worker's name, or the name a version gives).</summary>
    public bool HasHealthCheck(string name) => healthChecks.ContainsKey(name);

    public IWorkerHealthCheck? FindHealthCheck(string workerName, IServiceProvider services) =>
        healthChecks.TryGetValue(workerName, out var factory) ? factory(services) : null;
}

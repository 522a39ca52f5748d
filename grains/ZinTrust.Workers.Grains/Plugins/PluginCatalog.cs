using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The plugins registered on a silo, in registration order (filled by <see cref="WorkersBuilder"/>).</summary>
public sealed class PluginCatalog
{
    private readonly List<PluginRegistration> registrations = [];

    public int Count => registrations.Count;

    internal IReadOnlyList<PluginRegistration> Registrations => registrations;

    internal void Add(Func<IServiceProvider, IWorkerPlugin> factory, int order) =>
        registrations.Add(new PluginRegistration(factory, order, registrations.Count));
}

/// <summary>One <c>AddPlugin</c> call: how to get the plugin, its order, and its place among the registrations.</summary>
internal sealed record PluginRegistration(Func<IServiceProvider, IWorkerPlugin> Factory, int Order, int Sequence);

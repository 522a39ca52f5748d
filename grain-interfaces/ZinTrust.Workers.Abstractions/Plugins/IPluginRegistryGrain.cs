using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Which plugins are switched off, cluster-wide (singleton: key 0; persisted in the workers' grain storage). A plugin
/// is enabled unless it was disabled here. Each silo caches this set and re-reads it when <see cref="PluginSettings.Version"/>
/// changes, so jobs never call this grain.
/// </summary>
[Alias("zt.IPluginRegistryGrain"), Orleans.CodeGeneration.Version(1)]
public interface IPluginRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Enables or disables the named plugin (on every silo); the version grows only when something changed.
    /// Throws INVALID_PLUGIN_NAME for a name that no plugin can have.</summary>
    [Alias("SetEnabled")]
    Task<PluginSettings> SetEnabled(string name, bool enabled);

    [ReadOnly, Alias("Get")]
    Task<PluginSettings> Get();

    /// <summary>The settings when their version differs from <paramref name="knownVersion"/>; null when unchanged.</summary>
    [ReadOnly, Alias("GetIfChanged")]
    Task<PluginSettings?> GetIfChanged(long knownVersion);
}

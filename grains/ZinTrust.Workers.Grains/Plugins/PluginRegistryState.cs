namespace ZinTrust.Workers.Grains;

/// <summary>The persisted part of the plugin registry: the disabled names and the version of the set.</summary>
[GenerateSerializer, Alias("zt.PluginRegistryState")]
public sealed class PluginRegistryState
{
    [Id(0)] public HashSet<string> Disabled { get; set; } = [];
    [Id(1)] public long Version { get; set; }
}

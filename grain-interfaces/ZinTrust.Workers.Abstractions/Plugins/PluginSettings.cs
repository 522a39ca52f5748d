namespace ZinTrust.Workers.Abstractions;

/// <summary>The cluster-wide plugin switches at one version.</summary>
[GenerateSerializer, Immutable, Alias("zt.PluginSettings")]
public sealed record PluginSettings
{
    /// <summary>Grows with every change.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>Names of the disabled plugins, in name order.</summary>
    [Id(1)] public IReadOnlyList<string> Disabled { get; init; } = [];

    public bool IsEnabled(string name) => !Disabled.Contains(name, StringComparer.Ordinal);
}

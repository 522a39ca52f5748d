namespace ZinTrust.Workers.Server;

/// <summary>A plugin registered on the answering silo: its cluster-wide switch, its type and the hooks it implements.</summary>
public sealed record PluginResponse(string Name, bool Enabled, string Type, int Order, IReadOnlyList<string> Hooks);

public sealed record PluginListResponse(bool Ok, long Version, IReadOnlyList<PluginResponse> Plugins);

public sealed record PluginActionResponse(bool Ok, string Message, PluginResponse Plugin);

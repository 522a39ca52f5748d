using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

[GenerateSerializer, Alias("zt.WorkerRegistryState")]
public sealed class WorkerRegistryState
{
    [Id(0)] public Dictionary<string, WorkerIndexEntry> Workers { get; set; } = new(StringComparer.Ordinal);
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.FaultHost;

// The same grain interface in two releases of the host: this project builds version 1, ZinTrust.Workers.FaultHost.V2
// (the same sources with UPGRADE_V2) builds version 2, which only adds a method — the safe kind of change. The upgrade test
// runs a cluster of both while silos move from one build to the other.
#if UPGRADE_V2
[Alias("zt.test.IUpgradeProbeGrain"), Orleans.CodeGeneration.Version(2)]
public interface IUpgradeProbeGrain : IGrainWithStringKey
{
    [Alias("Build")]
    Task<string> Build();

    [Alias("Features")]
    Task<string> Features();
}
#else
[Alias("zt.test.IUpgradeProbeGrain"), Orleans.CodeGeneration.Version(1)]
public interface IUpgradeProbeGrain : IGrainWithStringKey
{
    [Alias("Build")]
    Task<string> Build();
}
#endif

internal sealed class UpgradeProbeGrain : Grain, IUpgradeProbeGrain
{
#if UPGRADE_V2
    public Task<string> Build() => Task.FromResult("v2");

    public Task<string> Features() => Task.FromResult("features-of-v2");
#else
    public Task<string> Build() => Task.FromResult("v1");
#endif
}

/// <summary>The <c>probe</c> processor: calls the probe grain as its own build knows it (v1: Build; v2: Build and Features)
/// and returns which build ran the job and what the grain answered.</summary>
internal sealed class UpgradeProbeProcessor(IGrainFactory grains) : IJobProcessor
{
    public async Task<object?> ProcessAsync(JobContext context)
    {
        var probe = grains.GetGrain<IUpgradeProbeGrain>(context.GetPayload<Probe>()?.Key ?? "probe");
#if UPGRADE_V2
        return new { ranOn = "v2", build = await probe.Build(), features = await probe.Features() };
#else
        return new { ranOn = "v1", build = await probe.Build(), features = (string?)null };
#endif
    }

    private sealed record Probe(string? Key);
}

using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The resource monitor's probe on one silo. Per-silo figures (GC, thread pool, process CPU) can only be read in
/// the silo's own process: the key names the silo and <see cref="SiloPinnedPlacement"/> activates the grain there.
/// A stateless worker would run on the caller's silo, and Orleans' management grain reports only CPU and memory.
/// </summary>
[SiloPinnedPlacement]
internal sealed class SiloSamplerGrain(SiloResourceSampler sampler, ILocalSiloDetails silo) : Grain, ISiloSamplerGrain
{
    public Task<ResourceSnapshot> TakeSnapshot(TimeSpan period)
    {
        // Never report one silo's figures under another's name.
        SiloPinnedPlacement.EnsureHome(this, silo);
        return Task.FromResult(sampler.Take(period));
    }
}

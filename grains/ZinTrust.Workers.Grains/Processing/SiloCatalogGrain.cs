using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Answers for its silo's <see cref="ProcessorCatalog"/>; pinned there by <see cref="SiloPinnedPlacement"/>.</summary>
[SiloPinnedPlacement]
internal sealed class SiloCatalogGrain(ProcessorCatalog catalog, IServiceProvider services, ILocalSiloDetails silo) : Grain, ISiloCatalogGrain
{
    public Task<bool> HasProcessor(string processor)
    {
        EnsureHome();
        return Task.FromResult(catalog.Find(processor, services) is not null);
    }

    public Task<bool> HasHealthCheck(string name)
    {
        EnsureHome();
        return Task.FromResult(catalog.HasHealthCheck(name));
    }

    private void EnsureHome() => SiloPinnedPlacement.EnsureHome(this, silo);
}

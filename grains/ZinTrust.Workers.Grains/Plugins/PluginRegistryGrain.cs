using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The cluster-wide plugin switches (see <see cref="IPluginRegistryGrain"/>); silos poll its version.</summary>
internal sealed class PluginRegistryGrain(
    [PersistentState("plugins", WorkersStorage.Name)] IPersistentState<PluginRegistryState> state) : Grain, IPluginRegistryGrain
{
    public async Task<PluginSettings> SetEnabled(string name, bool enabled)
    {
        if (!WorkerValidation.IsValidName(name))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidPluginName, "Plugin name must match ^[a-zA-Z0-9_-]{3,50}$.");
        }

        bool changed = enabled ? state.State.Disabled.Remove(name) : state.State.Disabled.Add(name);
        if (changed)
        {
            state.State.Version++;
            await state.WriteStateAsync();
        }

        return Snapshot();
    }

    public Task<PluginSettings> Get() => Task.FromResult(Snapshot());

    public Task<PluginSettings?> GetIfChanged(long knownVersion) =>
        Task.FromResult(knownVersion == state.State.Version ? null : Snapshot());

    private PluginSettings Snapshot() => new() { Version = state.State.Version, Disabled = [.. state.State.Disabled.Order(StringComparer.Ordinal)] };
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The index of all workers, written by worker grains on every change of definition or status.</summary>
internal sealed class WorkerRegistryGrain(
    [PersistentState("registry", WorkersStorage.Name)] IPersistentState<WorkerRegistryState> state) : Grain, IWorkerRegistryGrain
{
    public async Task Upsert(WorkerIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (state.State.Workers.TryGetValue(entry.Name, out var existing) && existing == entry)
        {
            return;
        }

        state.State.Workers[entry.Name] = entry;
        await state.WriteStateAsync();
    }

    public async Task Remove(string name)
    {
        if (state.State.Workers.Remove(name))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<WorkerIndexEntry>> List(bool includeInactive) =>
        Task.FromResult<IReadOnlyList<WorkerIndexEntry>>(state.State.Workers.Values
            .Where(w => includeInactive || w.ActiveStatus)
            .OrderBy(w => w.Name, StringComparer.Ordinal)
            .ToArray());
}

using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The index of all workers, written by worker grains on every change of definition or status. When a change
/// alters whether a worker asks for resource monitoring, the resource monitor is told to re-evaluate its gate.
/// </summary>
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
        if (ResourceMonitorPolicy.Requests(existing) != ResourceMonitorPolicy.Requests(entry))
        {
            await ResourceMonitor().Reevaluate();
        }
    }

    public async Task Remove(string name)
    {
        if (state.State.Workers.Remove(name, out var removed))
        {
            await state.WriteStateAsync();
            if (ResourceMonitorPolicy.Requests(removed))
            {
                await ResourceMonitor().Reevaluate();
            }
        }
    }

    public Task<IReadOnlyList<WorkerIndexEntry>> List(bool includeInactive) =>
        Task.FromResult<IReadOnlyList<WorkerIndexEntry>>(state.State.Workers.Values
            .Where(w => includeInactive || w.ActiveStatus)
            .OrderBy(w => w.Name, StringComparer.Ordinal)
            .ToArray());

    // One-way: the monitor reads this registry back, so it must not be awaited inside this grain's turn.
    private IResourceMonitorGrain ResourceMonitor() => GrainFactory.GetGrain<IResourceMonitorGrain>(0);
}

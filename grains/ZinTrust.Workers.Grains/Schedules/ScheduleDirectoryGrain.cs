using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The ids of every schedule (key 0), persisted; a schedule adds itself when created and removes itself when deleted.</summary>
internal sealed class ScheduleDirectoryGrain(
    [PersistentState("schedules", WorkersStorage.Name)] IPersistentState<ScheduleDirectoryState> state) : Grain, IScheduleDirectoryGrain
{
    public async Task Add(string id)
    {
        if (state.State.Ids.Add(id))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string id)
    {
        if (state.State.Ids.Remove(id))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Ids.Order(StringComparer.Ordinal)]);
}

[GenerateSerializer, Alias("zt.ScheduleDirectoryState")]
public sealed class ScheduleDirectoryState
{
    [Id(0)] public HashSet<string> Ids { get; set; } = new(StringComparer.Ordinal);
}

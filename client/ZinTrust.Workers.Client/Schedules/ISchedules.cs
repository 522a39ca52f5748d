using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Recurring jobs: cron or interval schedules with their policies (see <see cref="ScheduleDefinition"/>).</summary>
public interface ISchedules
{
    /// <summary>Creates a schedule, or with <paramref name="replace"/> replaces one. INVALID_SCHEDULE, SCHEDULE_EXISTS.</summary>
    Task<ScheduleInfo> PutAsync(ScheduleDefinition definition, bool replace = false, CancellationToken cancellationToken = default);

    /// <summary>The schedule, or null.</summary>
    Task<ScheduleInfo?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every schedule, by id.</summary>
    Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops firing, with a note of why. SCHEDULE_NOT_FOUND.</summary>
    Task<ScheduleInfo> PauseAsync(string id, string? note = null, CancellationToken cancellationToken = default);

    /// <summary>Fires again from the next occurrence after now.</summary>
    Task<ScheduleInfo> ResumeAsync(string id, string? note = null, CancellationToken cancellationToken = default);

    /// <summary>Enqueues one job now.</summary>
    Task<ScheduleFire> TriggerAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Enqueues each occurrence of a past range once (at most 1,000).</summary>
    Task<IReadOnlyList<ScheduleFire>> BackfillAsync(string id, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Deletes the schedule (its jobs stay); false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}

internal sealed class Schedules(IClusterClient client) : ISchedules
{
    private static string By => ClientGrains.By;

    public Task<ScheduleInfo> PutAsync(ScheduleDefinition definition, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Schedule(definition.Id).Put(definition, replace, By).WaitAsync(cancellationToken);
    }

    public Task<ScheduleInfo?> GetAsync(string id, CancellationToken cancellationToken = default) => Schedule(id).Get().WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ids = await client.GetGrain<IScheduleDirectoryGrain>(0).List().WaitAsync(cancellationToken);
        var found = await Task.WhenAll(ids.Select(id => Schedule(id).Get())).WaitAsync(cancellationToken);
        return [.. found.OfType<ScheduleInfo>()];
    }

    public Task<ScheduleInfo> PauseAsync(string id, string? note = null, CancellationToken cancellationToken = default) => Schedule(id).Pause(By, note).WaitAsync(cancellationToken);

    public Task<ScheduleInfo> ResumeAsync(string id, string? note = null, CancellationToken cancellationToken = default) => Schedule(id).Resume(By, note).WaitAsync(cancellationToken);

    public Task<ScheduleFire> TriggerAsync(string id, CancellationToken cancellationToken = default) => Schedule(id).Trigger(By).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<ScheduleFire>> BackfillAsync(string id, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Schedule(id).Backfill(from, to, By).WaitAsync(cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => Schedule(id).Delete(By).WaitAsync(cancellationToken);

    private IScheduleGrain Schedule(string id)
    {
        if (!WorkerValidation.IsValidName(id))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidSchedule, "A schedule id must match ^[a-zA-Z0-9_-]{3,50}$.");
        }

        return client.GetGrain<IScheduleGrain>(id);
    }
}

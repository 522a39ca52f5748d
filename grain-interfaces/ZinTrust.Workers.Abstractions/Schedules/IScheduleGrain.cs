namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// One schedule (key: its id). Its definition, next run time and counters are persisted; a durable reminder re-activates it
/// wherever the cluster stands and a timer fires each occurrence. Each occurrence enqueues with the idempotency key
/// <c>schedule:{id}:{occurrence in Unix ms}</c>, so it runs once across the cluster even when the silo holding the schedule
/// dies as it fires (the next activation fires it again and gets the same job).
/// </summary>
[Alias("zt.IScheduleGrain"), Orleans.CodeGeneration.Version(1)]
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates the schedule (SCHEDULE_EXISTS when it exists and <paramref name="replace"/> is false) or replaces its
    /// definition (the next run time is computed again; counters stay). INVALID_SCHEDULE names what is wrong.</summary>
    [Alias("Put")]
    Task<ScheduleInfo> Put(ScheduleDefinition definition, bool replace, string? by);

    /// <summary>The schedule, or null when there is none.</summary>
    [Alias("Get")]
    Task<ScheduleInfo?> Get();

    /// <summary>Stops firing (occurrences while paused are not run later). SCHEDULE_NOT_FOUND.</summary>
    [Alias("Pause")]
    Task<ScheduleInfo> Pause(string? by, string? note);

    /// <summary>Fires again from the next occurrence after now.</summary>
    [Alias("Resume")]
    Task<ScheduleInfo> Resume(string? by, string? note);

    /// <summary>Enqueues one job now, outside the schedule's times (also while paused); the overlap policy does not apply.</summary>
    [Alias("Trigger")]
    Task<ScheduleFire> Trigger(string? by);

    /// <summary>Enqueues every occurrence in [from, to] (at most 1,000), each under its own occurrence key: an occurrence that
    /// already ran is not run again. The overlap policy does not apply.</summary>
    [Alias("Backfill")]
    Task<IReadOnlyList<ScheduleFire>> Backfill(DateTimeOffset from, DateTimeOffset to, string? by);

    /// <summary>Deletes the schedule (its jobs stay). False when there was none.</summary>
    [Alias("Delete")]
    Task<bool> Delete(string? by);
}

/// <summary>The ids of every schedule (key 0), for listing.</summary>
[Alias("zt.IScheduleDirectoryGrain"), Orleans.CodeGeneration.Version(1)]
public interface IScheduleDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task Add(string id);

    [Alias("Remove")]
    Task Remove(string id);

    [Alias("List")]
    Task<IReadOnlyList<string>> List();
}

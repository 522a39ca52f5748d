namespace ZinTrust.Workers.Testing;

/// <summary>
/// A reminder table shared by the silos of an in-process cluster that outlives any one of them, as Redis or
/// PostgreSQL would (Orleans' in-memory table is a grain and dies with the silo hosting it). Entries are copied
/// in and out, as over the wire.
/// </summary>
public sealed class InProcessReminderTable : IReminderTable
{
    private readonly Lock gate = new();
    private readonly Dictionary<(GrainId Grain, string Name), ReminderEntry> rows = [];

    public Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        lock (gate)
        {
            return Task.FromResult(new ReminderTableData(rows.Values.Where(e => e.GrainId == grainId).Select(Copy).ToArray()));
        }
    }

    /// <summary>Reminders whose grain hashes into the ring range (begin, end], wrapping past the top.</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        lock (gate)
        {
            return Task.FromResult(new ReminderTableData(rows.Values.Where(e => InRange(e.GrainId.GetUniformHashCode(), begin, end)).Select(Copy).ToArray()));
        }
    }

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        lock (gate)
        {
            return Task.FromResult(rows.TryGetValue((grainId, reminderName), out var entry) ? Copy(entry) : null);
        }
    }

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (gate)
        {
            var stored = Copy(entry);
            stored.ETag = Guid.NewGuid().ToString("N");
            rows[(entry.GrainId, entry.ReminderName)] = stored;
            return Task.FromResult<string?>(stored.ETag);
        }
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        lock (gate)
        {
            return Task.FromResult(rows.TryGetValue((grainId, reminderName), out var entry) && entry.ETag == eTag && rows.Remove((grainId, reminderName)));
        }
    }

    public Task TestOnlyClearTable()
    {
        lock (gate)
        {
            rows.Clear();
        }

        return Task.CompletedTask;
    }

    private static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static ReminderEntry Copy(ReminderEntry e) => new()
    {
        GrainId = e.GrainId,
        ReminderName = e.ReminderName,
        StartAt = e.StartAt,
        Period = e.Period,
        ETag = e.ETag,
    };
}

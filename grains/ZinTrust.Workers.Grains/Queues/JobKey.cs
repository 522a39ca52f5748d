namespace ZinTrust.Workers.Grains;

/// <summary>
/// A job id as the queue index holds it: the 16 bytes of a GUID when the id is one the queue assigns (32 lowercase hex
/// digits), otherwise the id's text. Saves the ~90-byte id string per job the index would otherwise keep.
/// </summary>
internal readonly record struct JobKey(Guid Guid, string? Text) : IComparable<JobKey>
{
    public static JobKey From(string id)
    {
        ArgumentNullException.ThrowIfNull(id);

        // Only the exact form Guid.ToString("N") writes back, so that Id returns the very text it was given.
        return id.Length == 32 && !id.AsSpan().ContainsAnyInRange('A', 'Z') && Guid.TryParseExact(id, "N", out var guid)
            ? new JobKey(guid, null)
            : new JobKey(Guid.Empty, id);
    }

    /// <summary>The id's text (allocated anew for GUID ids).</summary>
    public string Id => Text ?? Guid.ToString("N");

    public int CompareTo(JobKey other)
    {
        int c = Guid.CompareTo(other.Guid);
        return c != 0 ? c : string.CompareOrdinal(Text, other.Text);
    }
}

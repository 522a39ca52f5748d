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

    /// <summary>The job's place in a traffic split, 0..9999: a hash of its id (XXH3), the same in every activation and on every
    /// silo, so a job (and each retry of it) falls on the same side of a split.</summary>
    public int Bucket
    {
        get
        {
            ulong hash;
            if (Text is null)
            {
                Span<byte> bytes = stackalloc byte[16];
                Guid.TryWriteBytes(bytes);
                hash = System.IO.Hashing.XxHash3.HashToUInt64(bytes);
            }
            else
            {
                hash = System.IO.Hashing.XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Text.AsSpan()));
            }

            return (int)(hash % 10_000);
        }
    }

    public int CompareTo(JobKey other)
    {
        int c = Guid.CompareTo(other.Guid);
        return c != 0 ? c : string.CompareOrdinal(Text, other.Text);
    }
}

using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The idempotency keys a queue remembers: key → the job it created, a fingerprint of the request, and when. A key is kept
/// for the queue's <see cref="JobOptions.IdempotencyTtl"/> after its creation and, beyond that, for as long as its job is kept;
/// so retention may delete a job long before its key is forgotten (the key then remembers the state the job ended in).
/// Not thread-safe: owned by one queue grain activation.
/// </summary>
/// <remarks>Memory: about 250 bytes per key in the silo (and about 100 in the store), whatever the payload.</remarks>
internal sealed class IdempotencyKeys
{
    private readonly Dictionary<string, IdempotencyKeyRecord> keys = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> byAge = new();

    public int Count => keys.Count;

    public IdempotencyKeyRecord? Get(string key) => keys.GetValueOrDefault(key);

    public void Put(IdempotencyKeyRecord record)
    {
        if (!keys.TryGetValue(record.Key, out var known) || known.CreatedAt != record.CreatedAt)
        {
            byAge.Enqueue(record.Key, record.CreatedAt);
        }

        keys[record.Key] = record;
    }

    public bool Remove(string key) => keys.Remove(key);

    /// <summary>
    /// Keys created at or before <paramref name="cutoff"/>, oldest first (each once: they leave the age order, so a key whose job
    /// is still kept is looked at again only when that job is deleted).
    /// </summary>
    public List<IdempotencyKeyRecord> TakeOlderThan(DateTimeOffset cutoff)
    {
        var old = new List<IdempotencyKeyRecord>();
        while (byAge.TryPeek(out var key, out var createdAt) && createdAt <= cutoff)
        {
            byAge.Dequeue();
            if (keys.TryGetValue(key, out var record) && record.CreatedAt == createdAt)
            {
                old.Add(record);
            }
        }

        return old;
    }

    /// <summary>
    /// A 64-bit fingerprint (XXH3) of what makes two enqueue requests the same job: payload, name, priority, delay, attempts,
    /// backoff and timeout. Stable across processes and versions (it is stored); never 0, which means "unknown".
    /// </summary>
    public static long Fingerprint(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = new XxHash3();
        Append(hash, request.Payload);
        Append(hash, request.Name);
        Span<byte> numbers = stackalloc byte[8 * 9];
        BinaryPrimitives.WriteInt64LittleEndian(numbers, request.Priority ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[8..], request.Delay?.Ticks ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[16..], request.Attempts ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[24..], request.Timeout?.Ticks ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[32..], request.Backoff is { } b ? (long)b.Kind : -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[40..], request.Backoff?.BaseDelay.Ticks ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[48..], request.Backoff?.MaxDelay.Ticks ?? -1);
        BinaryPrimitives.WriteDoubleLittleEndian(numbers[56..], request.Backoff?.Jitter ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[64..], 0x7A74);
        hash.Append(numbers);
        long value = (long)hash.GetCurrentHashAsUInt64();
        return value == 0 ? 1 : value;
    }

    private static void Append(XxHash3 hash, string? text)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, text?.Length ?? -1);
        hash.Append(length);
        if (text is not null)
        {
            hash.Append(Encoding.UTF8.GetBytes(text));
        }
    }
}

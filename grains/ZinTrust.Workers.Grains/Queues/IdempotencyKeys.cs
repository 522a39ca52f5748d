using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The idempotency keys a queue remembers: key → the job it created, a fingerprint of the request, and until when. A key
/// lives as long as its job and at least until its window ends (the queue's <see cref="JobOptions.IdempotencyTtl"/>, or the
/// request's own). While the job exists its record carries the key, so nothing more is stored; when the job is deleted
/// within the window, the key is stored on its own (with the state the job ended in) until the window ends.
/// Not thread-safe: owned by one queue grain activation.
/// </summary>
/// <remarks>Memory: about 200 bytes per key in the silo while it outlives its job (and about 100 in Redis), whatever the payload.</remarks>
internal sealed class IdempotencyKeys
{
    private readonly Dictionary<string, Key> keys = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> outliving = new();   // keys of deleted jobs, by the end of their window

    public int Count => keys.Count;

    /// <summary>A job with <paramref name="key"/> exists (created now, or loaded); returns whether a stored key it replaces must be deleted.</summary>
    public bool Live(string key, string jobId, long fingerprint, DateTimeOffset expiresAt)
    {
        bool replacesStored = keys.TryGetValue(key, out var old) && old.Stored && old.JobId != jobId;
        keys[key] = new Key(jobId, fingerprint, expiresAt.UtcTicks, FinalState: null, Stored: false);
        return replacesStored;
    }

    /// <summary>
    /// The job of <paramref name="key"/> was deleted, ending in <paramref name="finalState"/>: the key to store (it outlives the
    /// job until its window ends), or null when the window is over (the key is forgotten with its job).
    /// </summary>
    public IdempotencyKeyRecord? Outlive(string key, string jobId, JobState finalState, DateTimeOffset createdAt, DateTimeOffset now)
    {
        if (!keys.TryGetValue(key, out var known) || known.JobId != jobId)
        {
            return null;
        }

        if (known.ExpiresTicks <= now.UtcTicks)
        {
            keys.Remove(key);
            return null;
        }

        keys[key] = known with { FinalState = finalState, Stored = true };
        outliving.Enqueue(key, known.ExpiresTicks);
        return new IdempotencyKeyRecord
        {
            Key = key,
            JobId = jobId,
            Fingerprint = known.Fingerprint,
            CreatedAt = createdAt,
            FinalState = finalState,
            ExpiresAt = new DateTimeOffset(known.ExpiresTicks, TimeSpan.Zero),
        };
    }

    /// <summary>A key stored on its own (its job is gone), read back when the queue loads.</summary>
    public void Remember(IdempotencyKeyRecord stored, DateTimeOffset expiresAt)
    {
        keys[stored.Key] = new Key(stored.JobId, stored.Fingerprint, expiresAt.UtcTicks, stored.FinalState, Stored: true);
        outliving.Enqueue(stored.Key, expiresAt.UtcTicks);
    }

    /// <summary>Forgets keys of deleted jobs whose window ended; returns those that were stored (to delete from the store).</summary>
    public List<string> ForgetEnded(DateTimeOffset now)
    {
        var ended = new List<string>();
        while (outliving.TryPeek(out var key, out long expires) && expires <= now.UtcTicks)
        {
            outliving.Dequeue();
            if (keys.TryGetValue(key, out var known) && known.Stored && known.ExpiresTicks == expires)
            {
                keys.Remove(key);
                ended.Add(key);
            }
        }

        return ended;
    }

    /// <summary>A remembered key that still holds: within its window, or its job still <paramref name="kept"/>.</summary>
    public Key? Find(string key, DateTimeOffset now, Func<string, bool> kept) =>
        keys.TryGetValue(key, out var known) && (known.ExpiresTicks > now.UtcTicks || kept(known.JobId)) ? known : null;

    /// <summary>
    /// Before anything of a call is admitted: the fingerprints of its keyed requests, how many jobs it would create, and a
    /// refusal (IDEMPOTENCY_KEY_REUSED) when a key still held, or an earlier request of the same call, comes with another body.
    /// </summary>
    public (long[] Fingerprints, int NewJobs) Check(IReadOnlyList<EnqueueRequest> requests, DateTimeOffset now, Func<string, bool> kept)
    {
        var fingerprints = new long[requests.Count];
        Dictionary<string, long>? earlier = null;
        int newJobs = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            if (requests[i].IdempotencyKey is not { } key)
            {
                newJobs++;
                continue;
            }

            long fingerprint = fingerprints[i] = Fingerprint(requests[i]);
            long known;
            if (earlier is not null && earlier.TryGetValue(key, out var first))
            {
                known = first;
            }
            else if (Find(key, now, kept) is { } remembered)
            {
                known = remembered.Fingerprint;
            }
            else
            {
                (earlier ??= new(StringComparer.Ordinal))[key] = fingerprint;
                newJobs++;
                continue;
            }

            if (known != 0 && known != fingerprint)
            {
                throw new WorkersException(
                    WorkersErrorCodes.IdempotencyKeyReused,
                    (requests.Count == 1 ? "" : $"Job {i}: ") + "this idempotency key was used for a job with a different body; use a new key for a new job.");
            }
        }

        return (fingerprints, newJobs);
    }

    /// <summary>
    /// A 64-bit fingerprint (XXH3) of what makes two enqueue requests the same job: payload, name, priority, delay or run-at,
    /// attempts, backoff, timeout, group and place in a flow. Stable across processes and versions (it is stored); never 0, which means "unknown".
    /// </summary>
    public static long Fingerprint(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = new XxHash3();
        Append(hash, request.Payload);
        Append(hash, request.Name);
        if (request.RunAt is { } runAt)
        {
            // Only when given, so the fingerprints of requests without one stay what earlier builds stored.
            Span<byte> at = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(at, runAt.UtcTicks);
            hash.Append(at);
        }

        if (request.Group is { } group)
        {
            Append(hash, group);   // also only when given
        }

        if (request.Parent is { } parent)
        {
            // A flow's child: the same key under another parent (or place) is another job.
            Append(hash, parent.Queue);
            Append(hash, parent.JobId);
            Append(hash, parent.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (request.Children > 0)
        {
            Append(hash, $"children:{request.Children}:{request.OnChildFailure}");
        }

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
            // The string's UTF-16 code units as they are in memory (little-endian on every platform .NET runs on): no copy.
            hash.Append(MemoryMarshal.AsBytes(text.AsSpan()));
        }
    }

    /// <summary>What is remembered of a key: its job, the request's fingerprint (0: unknown), the end of its window, and for a
    /// key that outlives its job, how the job ended and that the key is stored on its own.</summary>
    public readonly record struct Key(string JobId, long Fingerprint, long ExpiresTicks, JobState? FinalState, bool Stored);
}

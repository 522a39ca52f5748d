using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// AES-256-GCM for one field of one job: a fresh random 96-bit nonce per encryption and a 128-bit tag; the associated data binds
/// the format version, the key id, the queue, the job id and the field's name, so a ciphertext moved to another job, queue or
/// field (a payload swapped with a result) fails authentication like a flipped byte does. Stored form:
/// <c>zte1.&lt;key id&gt;.&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>. JSON text never starts with <c>zte1.</c>, so a
/// stored value is either plaintext (written before encryption was on) or ciphertext, never ambiguous.
/// </summary>
/// <remarks>
/// GCM with random nonces stays within its bounds for about 2^32 encryptions per key (NIST SP 800-38D); <see cref="Usage"/>
/// counts encryptions per key so the cluster can warn long before (<see cref="EncryptionLimits"/>). A value already encrypted
/// for the same job, field and active key is not encrypted again when its record is rewritten (a lease, a completion): the
/// ciphertext is remembered beside the plaintext string it came from.
/// </remarks>
public sealed class PayloadCipher
{
    /// <summary>The stored form's prefix (format version 1).</summary>
    public const string Prefix = "zte1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly EncryptionKeyRing ring;
    private readonly ConcurrentDictionary<string, ConcurrentBag<AesGcm>> pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> usage = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<string, Sealed> sealedValues = [];

    public PayloadCipher(EncryptionKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        this.ring = ring;
    }

    public EncryptionKeyRing Ring => ring;

    /// <summary>Encryptions per key id since the last <see cref="TakeUsage"/> on this silo.</summary>
    public IReadOnlyDictionary<string, long> Usage => usage;

    public static bool IsEncrypted(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The key id a stored value was encrypted under; null for plaintext.</summary>
    public static string? KeyIdOf(string? value)
    {
        if (!IsEncrypted(value))
        {
            return null;
        }

        int end = value!.IndexOf('.', Prefix.Length);
        return end < 0 ? null : value[Prefix.Length..end];
    }

    /// <summary>Encryptions counted since the last call, per key (the counts restart from zero).</summary>
    public IReadOnlyDictionary<string, long> TakeUsage()
    {
        var taken = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var id in usage.Keys)
        {
            if (usage.TryRemove(id, out var count) && count > 0)
            {
                taken[id] = count;
            }
        }

        return taken;
    }

    /// <summary>Puts back counts that could not be reported (they are reported with the next ones).</summary>
    public void ReturnUsage(IReadOnlyDictionary<string, long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        foreach (var (id, count) in counts)
        {
            usage.AddOrUpdate(id, count, (_, c) => c + count);
        }
    }

    /// <summary>The stored form of <paramref name="plaintext"/> as field <paramref name="field"/> of job <paramref name="jobId"/>
    /// of <paramref name="queue"/>, under the active key.</summary>
    public string Encrypt(string queue, string jobId, string field, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var keyId = ring.ActiveKeyId;
        if (sealedValues.TryGetValue(plaintext, out var known) && known.Matches(queue, jobId, field, keyId))
        {
            return known.Ciphertext;
        }

        int length = Encoding.UTF8.GetByteCount(plaintext);
        byte[] rented = ArrayPool<byte>.Shared.Rent(NonceSize + length + TagSize + length);
        try
        {
            var sealedBytes = rented.AsSpan(0, NonceSize + length + TagSize);
            var clear = rented.AsSpan(NonceSize + length + TagSize, length);
            Encoding.UTF8.GetBytes(plaintext, clear);
            var nonce = sealedBytes[..NonceSize];
            RandomNumberGenerator.Fill(nonce);
            var aad = AssociatedData(keyId, queue, jobId, field);
            var gcm = Rent(keyId, ring.ActiveKey);
            try
            {
                gcm.Encrypt(nonce, clear, sealedBytes.Slice(NonceSize, length), sealedBytes.Slice(NonceSize + length, TagSize), aad);
            }
            finally
            {
                Return(keyId, gcm);
            }

            usage.AddOrUpdate(keyId, 1, static (_, c) => c + 1);
            var ciphertext = string.Concat(Prefix, keyId, ".", Base64Url.EncodeToString(sealedBytes));
            sealedValues.AddOrUpdate(plaintext, new Sealed(queue, jobId, field, keyId, ciphertext));
            return ciphertext;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    /// <summary>The plaintext of a stored value (plaintext values are returned as they are).</summary>
    /// <exception cref="JobDataIntegrityException">The value does not authenticate (altered, moved from another job or field)
    /// or its key is not in the ring.</exception>
    public string Decrypt(string queue, string jobId, string field, string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!IsEncrypted(stored))
        {
            return stored;
        }

        int dot = stored.IndexOf('.', Prefix.Length);
        var keyId = dot < 0 ? "" : stored[Prefix.Length..dot];
        if (!ring.TryGetKey(keyId, out var key))
        {
            throw new JobDataIntegrityException(queue, jobId, field, $"its key '{keyId}' is not in the key ring (WORKER_ENCRYPTION_KEYS_FILE)");
        }

        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(stored.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            throw new JobDataIntegrityException(queue, jobId, field, "it is not well-formed");
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new JobDataIntegrityException(queue, jobId, field, "it is truncated");
        }

        int length = sealedBytes.Length - NonceSize - TagSize;
        byte[] clear = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        var gcm = Rent(keyId, key);
        try
        {
            gcm.Decrypt(
                sealedBytes.AsSpan(0, NonceSize),
                sealedBytes.AsSpan(NonceSize, length),
                sealedBytes.AsSpan(NonceSize + length, TagSize),
                clear.AsSpan(0, length),
                AssociatedData(keyId, queue, jobId, field));
            var plaintext = Encoding.UTF8.GetString(clear, 0, length);
            sealedValues.AddOrUpdate(plaintext, new Sealed(queue, jobId, field, keyId, stored));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new JobDataIntegrityException(queue, jobId, field, "it fails authentication (altered, or moved from another job or field)");
        }
        finally
        {
            Return(keyId, gcm);
            ArrayPool<byte>.Shared.Return(clear, clearArray: true);
        }
    }

    private static byte[] AssociatedData(string keyId, string queue, string jobId, string field) =>
        Encoding.UTF8.GetBytes($"zte1|{keyId}|{queue}|{jobId}|{field}");

    private AesGcm Rent(string keyId, byte[] key) =>
        pools.GetOrAdd(keyId, static _ => []).TryTake(out var gcm) ? gcm : new AesGcm(key, TagSize);

    private void Return(string keyId, AesGcm gcm)
    {
        var pool = pools.GetOrAdd(keyId, static _ => []);
        if (pool.Count < Environment.ProcessorCount * 2)
        {
            pool.Add(gcm);
        }
        else
        {
            gcm.Dispose();
        }
    }

    private sealed record Sealed(string Queue, string JobId, string Field, string KeyId, string Ciphertext)
    {
        public bool Matches(string queue, string jobId, string field, string keyId) =>
            KeyId == keyId && JobId == jobId && Queue == queue && Field == field;
    }
}

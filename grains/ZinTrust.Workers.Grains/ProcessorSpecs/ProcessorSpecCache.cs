using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Fetched assembly bytes in memory, by address and digest, for PROCESSOR_CACHE_DEFAULT_TTL (or the response's max-age, at
/// most PROCESSOR_CACHE_MAX_TTL), within PROCESSOR_CACHE_MAX_SIZE bytes (the oldest go first). In memory rather than on disk:
/// nothing another process could change between runs, and a silo that restarts fetches again. The loader checks a hit's
/// digest again before using it.
/// </summary>
internal sealed class ProcessorSpecCache(IOptions<ProcessorSpecOptions> options, [FromKeyedServices(WorkersClock.Key)] TimeProvider time)
{
    private readonly ProcessorSpecOptions settings = options.Value;
    private readonly Lock gate = new();
    private readonly Dictionary<(string Url, string Sha256), Entry> entries = [];
    private long size;

    /// <summary>Bytes held in the cache.</summary>
    public long Size
    {
        get
        {
            lock (gate)
            {
                return size;
            }
        }
    }

    public byte[]? TryGet(string url, string sha256)
    {
        lock (gate)
        {
            if (!entries.TryGetValue((url, sha256), out var entry))
            {
                return null;
            }

            if (entry.Expires <= time.GetUtcNow())
            {
                RemoveLocked((url, sha256));
                return null;
            }

            return entry.Bytes;
        }
    }

    /// <summary>Keeps <paramref name="bytes"/> (already verified against <paramref name="sha256"/>); a max-age of zero keeps nothing.</summary>
    public void Put(string url, string sha256, byte[] bytes, TimeSpan? maxAge)
    {
        var ttl = maxAge is { } age ? (age < settings.CacheMaxTtl ? age : settings.CacheMaxTtl) : settings.CacheDefaultTtl;
        if (ttl <= TimeSpan.Zero || bytes.Length > settings.CacheMaxSize)
        {
            return;
        }

        lock (gate)
        {
            var now = time.GetUtcNow();
            RemoveLocked((url, sha256));
            foreach (var expired in entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
            {
                RemoveLocked(expired);
            }

            while (size + bytes.Length > settings.CacheMaxSize && entries.Count > 0)
            {
                RemoveLocked(entries.MinBy(e => e.Value.Added).Key);
            }

            entries[(url, sha256)] = new Entry(bytes, now, now + ttl);
            size += bytes.Length;
        }
    }

    public void Remove(string url, string sha256)
    {
        lock (gate)
        {
            RemoveLocked((url, sha256));
        }
    }

    private void RemoveLocked((string, string) key)
    {
        if (entries.Remove(key, out var entry))
        {
            size -= entry.Bytes.Length;
        }
    }

    private sealed record Entry(byte[] Bytes, DateTimeOffset Added, DateTimeOffset Expires);
}

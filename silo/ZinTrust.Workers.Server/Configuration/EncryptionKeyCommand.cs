using StackExchange.Redis;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// <c>silo -- encryption-key --id ID --out FILE</c>: a new key ring of one key, or (FILE exists) a new active key added to the
/// ring, the old keys kept to decrypt. <c>silo -- encryption-key retire --id ID --out FILE</c>: removes a decrypt-only key,
/// refused while the job store holds data under it (it reads Redis with the host's settings; with the in-memory store nothing
/// outlives the process, so there is nothing to check). Files are written whole (a temporary file renamed over the old one),
/// readable by their owner only. Keys are never printed.
/// </summary>
public static class EncryptionKeyCommand
{
    public const string Usage = "usage: encryption-key [retire] --id ID --out FILE";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        bool retire = args.Length > 0 && args[0] == "retire";
        string? id = null, file = null;
        for (int i = retire ? 1 : 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--id" when i + 1 < args.Length: id = args[++i]; break;
                case "--out" when i + 1 < args.Length: file = args[++i]; break;
                default:
                    await error.WriteLineAsync($"encryption-key: unknown or incomplete option '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        if (!EncryptionKeyRing.IsValidKeyId(id) || string.IsNullOrWhiteSpace(file))
        {
            await error.WriteLineAsync($"encryption-key: --id (1..32 letters, digits, '-' or '_') and --out are required. {Usage}");
            return 2;
        }

        EncryptionKeyRing? existing = null;
        if (File.Exists(file))
        {
            existing = EncryptionKeyRing.Load(file, out var problem);
            if (problem is not null)
            {
                await error.WriteLineAsync($"encryption-key: {problem}");
                return 2;
            }
        }

        try
        {
            if (retire)
            {
                if (existing is null)
                {
                    await error.WriteLineAsync($"encryption-key: '{file}' does not exist.");
                    return 2;
                }

                var ring = existing.Without(id!);   // refuses the active key and unknown ids
                var remaining = await CountUnderKeyAsync(configuration, id!, cancellationToken);
                if (remaining > 0)
                {
                    await error.WriteLineAsync($"encryption-key: {remaining} stored jobs are still encrypted under '{id}'. Let the re-encryption sweep finish (POST /api/compliance/encryption/reencrypt; GET /api/compliance/status), then retire it.");
                    return 4;
                }

                Write(file!, ring);
                await output.WriteLineAsync($"Retired key '{id}' from {file}; the ring holds {string.Join(", ", ring.KeyIds)} (active {ring.ActiveKeyId}).");
                return 0;
            }

            var next = existing is null ? EncryptionKeyRing.Create(id!, time) : existing.WithNewActiveKey(id!, time);
            Write(file!, next);
            await output.WriteLineAsync(existing is null
                ? $"Wrote a new key ring to {file} with the active key '{id}'. Give it to every silo (WORKER_ENCRYPTION_KEYS_FILE); keep a copy safe: without it the encrypted jobs cannot be read."
                : $"Added the active key '{id}' to {file} (the ring holds {string.Join(", ", next.KeyIds)}). Roll it out to every silo; the re-encryption sweep then rewrites stored jobs under it.");
            return 0;
        }
        catch (InvalidOperationException invalid)
        {
            await error.WriteLineAsync($"encryption-key: {invalid.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RedisException)
        {
            await error.WriteLineAsync($"encryption-key: {ex.GetType().Name}: {ex.Message}");
            return 3;
        }
    }

    private static void Write(string file, EncryptionKeyRing ring)
    {
        var full = Path.GetFullPath(file);
        var temporary = full + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(ring.ToJson());
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>How many stored job records hold a value encrypted under <paramref name="keyId"/> (the Redis job store; the
    /// in-memory one keeps nothing). Reads every queue's hash with HSCAN: O(jobs), for an operator's command.</summary>
    private static async Task<long> CountUnderKeyAsync(IConfiguration configuration, string keyId, CancellationToken cancellationToken)
    {
        var settings = HostSettingsLoader.Load(configuration, out var problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("the host's settings are invalid: " + string.Join("; ", problems));
        }

        if (settings.QueueDriver != "redis")
        {
            return 0;
        }

        var options = ConfigurationOptions.Parse(settings.RedisConfiguration);
        options.AbortOnConnectFail = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var marker = System.Text.Encoding.UTF8.GetBytes($"{PayloadCipher.Prefix}{keyId}.");
        var db = redis.GetDatabase(settings.RedisDatabase);
        long count = 0;
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(settings.RedisDatabase, $"{settings.QueueRedisKeyPrefix}:{{*}}:jobs", pageSize: 500))
            {
                await foreach (var entry in db.HashScanAsync(key, pageSize: 500).WithCancellation(cancellationToken))
                {
                    if (((ReadOnlyMemory<byte>)entry.Value).Span.IndexOf(marker) >= 0)
                    {
                        count++;
                    }
                }
            }
        }

        return count;
    }
}

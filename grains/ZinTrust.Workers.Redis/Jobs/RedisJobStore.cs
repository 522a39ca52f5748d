using Orleans.Serialization;
using StackExchange.Redis;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Redis;

/// <summary>
/// Jobs in Redis. Per queue (keys hash-tagged by queue, so one queue lives in one Redis Cluster slot; each partition of a
/// partitioned queue is a queue here, keyed <c>{queue}#{p}</c>, so its partitions spread over the cluster's slots):
/// <c>{p}:{q}:jobs</c> a hash id → record (Orleans binary serialisation: compact, version tolerant through
/// the contracts' [Id]s; id and queue are not repeated inside the value), <c>{p}:{q}:meta</c> the queue's pause flag and policy, <c>{p}:{q}:epoch</c> the
/// owner epoch, <c>{p}:{q}:keys</c> a hash of remembered idempotency keys. The queue grain keeps the ordered index in memory, so Redis holds only records: each write is
/// O(1) per job whatever the queue's depth.
/// </summary>
/// <remarks>
/// Reading some jobs back (the queue grain does so when it leases jobs it holds only in its index) is one HMGET.
/// Every batch is one Lua script call: it checks the epoch, then applies all upserts, deletes, the metadata and the
/// idempotency keys, atomically. A claim (on load) is another: the new epoch is above the stored one and at least the caller's
/// time-based floor, so it grows even if Redis lost the last increment. A batch is acknowledged once Redis has applied it (with AOF, fsync every second).
/// On Redis Cluster a queue is one hash slot: redirections are followed by the client, and a batch refused with TRYAGAIN while
/// its slot migrates is tried again (<see cref="SlotMigrationRetry"/>); docs/operations.md says what a resharding and a node
/// restart do.
/// </remarks>
public sealed class RedisJobStore : IJobStore
{
    // KEYS: jobs, meta, epoch, keys. ARGV: epoch, upsert count, delete count, has-meta, key-upsert count, key-delete count,
    // then job id/value pairs, job delete ids, the meta value (if any), key/value pairs, key deletes.
    private const string CommitScript = """
        if redis.call('GET', KEYS[3]) ~= ARGV[1] then
          return redis.error_reply('ZT_FENCED current=' .. tostring(redis.call('GET', KEYS[3])))
        end
        local i = 7
        local chunk = {}
        for j = 1, tonumber(ARGV[2]) do
          chunk[#chunk + 1] = ARGV[i]
          chunk[#chunk + 1] = ARGV[i + 1]
          i = i + 2
          if #chunk >= 200 then
            redis.call('HSET', KEYS[1], unpack(chunk))
            chunk = {}
          end
        end
        if #chunk > 0 then
          redis.call('HSET', KEYS[1], unpack(chunk))
          chunk = {}
        end
        for j = 1, tonumber(ARGV[3]) do
          chunk[#chunk + 1] = ARGV[i]
          i = i + 1
          if #chunk >= 200 then
            redis.call('HDEL', KEYS[1], unpack(chunk))
            chunk = {}
          end
        end
        if #chunk > 0 then
          redis.call('HDEL', KEYS[1], unpack(chunk))
          chunk = {}
        end
        if ARGV[4] == '1' then
          redis.call('SET', KEYS[2], ARGV[i])
          i = i + 1
        end
        for j = 1, tonumber(ARGV[5]) do
          chunk[#chunk + 1] = ARGV[i]
          chunk[#chunk + 1] = ARGV[i + 1]
          i = i + 2
          if #chunk >= 200 then
            redis.call('HSET', KEYS[4], unpack(chunk))
            chunk = {}
          end
        end
        if #chunk > 0 then
          redis.call('HSET', KEYS[4], unpack(chunk))
          chunk = {}
        end
        for j = 1, tonumber(ARGV[6]) do
          chunk[#chunk + 1] = ARGV[i]
          i = i + 1
          if #chunk >= 200 then
            redis.call('HDEL', KEYS[4], unpack(chunk))
            chunk = {}
          end
        end
        if #chunk > 0 then
          redis.call('HDEL', KEYS[4], unpack(chunk))
        end
        return 1
        """;

    // KEYS: epoch. ARGV: the floor. A new epoch above the stored one and at least the floor. Lua numbers are doubles: exact
    // for the values used (time-based floors stay below 2^53 until the year 2255); %d writes them without an exponent.
    private const string ClaimScript = """
        local epoch = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
        local floor = tonumber(ARGV[1])
        if floor > epoch then
          epoch = floor
        end
        local text = string.format('%d', epoch)
        redis.call('SET', KEYS[1], text)
        return text
        """;

    private readonly RedisConnection connection;
    private readonly Serializer<JobRecord> records;
    private readonly Serializer<QueueMetadata> metadata;
    private readonly Serializer<IdempotencyKeyRecord> keyRecords;
    private readonly RedisJobStoreOptions options;
    private readonly SlotMigrationRetry slotMigration;

    public RedisJobStore(
        RedisConnection connection,
        Serializer<JobRecord> records,
        Serializer<QueueMetadata> metadata,
        Serializer<IdempotencyKeyRecord> keyRecords,
        RedisJobStoreOptions options)
    {
        this.connection = connection;
        this.records = records;
        this.metadata = metadata;
        this.keyRecords = keyRecords;
        this.options = options;
        slotMigration = new SlotMigrationRetry(options.SlotMigrationRetryTimeout);
    }

    /// <summary>How many calls were tried again because their queue's hash slot was migrating (TRYAGAIN); tests and diagnostics.</summary>
    internal long SlotMigrationRetries => slotMigration.Retries;

    public async Task<QueueSnapshot> LoadAsync(string queue, long epochFloor, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        var keys = Keys(queue);
        long epoch = long.Parse((string)(await db.ScriptEvaluateAsync(ClaimScript, [keys.Epoch], [epochFloor]))!, System.Globalization.CultureInfo.InvariantCulture);
        var meta = await db.StringGetAsync(keys.Meta);
        var owner = QueuePartitions.QueueOf(queue);   // a partition's key ({queue}#{p}) stores jobs of its queue
        var jobs = await ScanAsync(db, keys.Jobs, (id, value) =>
            (records.Deserialize(value) ?? throw new InvalidDataException($"Job '{id}' of queue '{queue}' is empty in Redis.")) with { Id = id, Queue = owner }, cancellationToken);
        var remembered = await ScanAsync(db, keys.IdempotencyKeys, (key, value) =>
            (keyRecords.Deserialize(value) ?? throw new InvalidDataException($"Idempotency key '{key}' of queue '{queue}' is empty in Redis.")) with { Key = key }, cancellationToken);
        return new QueueSnapshot(jobs, meta.HasValue ? metadata.Deserialize((byte[])meta!) : null, epoch) { Keys = remembered };
    }

    /// <summary>
    /// Every field of a hash, by HSCAN pages, each field once. The claim before it fenced every older owner, so the hash holds
    /// still while it is read; but a page may come from another node than the one before (Redis Cluster moved the queue's slot
    /// between two pages: the client follows the redirection, and the cursor, which is only meaningful to the node that gave
    /// it, may skip fields there). So the count read must match HLEN after the scan, or the hash is read again.
    /// </summary>
    private async Task<List<T>> ScanAsync<T>(IDatabase db, RedisKey key, Func<string, byte[], T> read, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var found = new Dictionary<string, T>(StringComparer.Ordinal);
            await foreach (var entry in db.HashScanAsync(key, pageSize: options.ScanPageSize).WithCancellation(cancellationToken))
            {
                string field = entry.Name!;
                found[field] = read(field, (byte[])entry.Value!);
            }

            long length = await db.HashLengthAsync(key);
            if (length == found.Count || attempt == 3)
            {
                // After three reads that disagree with HLEN, a newer claimant is writing the hash: this load is stale whatever
                // it returns (its first batch is fenced), so it returns the last read rather than failing.
                return [.. found.Values];
            }
        }
    }

    public async Task CommitAsync(string queue, long epoch, JobStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var db = await connection.DatabaseAsync(cancellationToken);
        var keys = Keys(queue);
        var args = new RedisValue[6 + (batch.Upserts.Count * 2) + batch.Deletes.Count + (batch.Metadata is null ? 0 : 1) + (batch.KeyUpserts.Count * 2) + batch.KeyDeletes.Count];
        args[0] = epoch;
        args[1] = batch.Upserts.Count;
        args[2] = batch.Deletes.Count;
        args[3] = batch.Metadata is null ? "0" : "1";
        args[4] = batch.KeyUpserts.Count;
        args[5] = batch.KeyDeletes.Count;
        int i = 6;
        foreach (var record in batch.Upserts)
        {
            args[i++] = record.Id;

            // The id is the hash field and the queue is in the key: storing them again would cost ~45 bytes a job.
            args[i++] = records.SerializeToArray(record with { Id = "", Queue = "" });
        }

        foreach (var id in batch.Deletes)
        {
            args[i++] = id;
        }

        if (batch.Metadata is not null)
        {
            args[i++] = metadata.SerializeToArray(batch.Metadata);
        }

        foreach (var key in batch.KeyUpserts)
        {
            args[i++] = key.Key;
            args[i++] = keyRecords.SerializeToArray(key with { Key = "" });
        }

        foreach (var key in batch.KeyDeletes)
        {
            args[i++] = key;
        }

        try
        {
            await slotMigration.ExecuteAsync(() => db.ScriptEvaluateAsync(CommitScript, [keys.Jobs, keys.Meta, keys.Epoch, keys.IdempotencyKeys], args), cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("ZT_FENCED", StringComparison.Ordinal))
        {
            throw new JobStoreFencedException($"Queue '{queue}' was claimed by a newer activation (this one holds epoch {epoch}; Redis says {ex.Message}).", ex);
        }
    }

    /// <summary>One EXISTS over the queue's jobs, metadata and idempotency keys (not its epoch: a claim alone holds nothing).</summary>
    public async Task<bool> ExistsAsync(string queue, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        var keys = Keys(queue);
        return await slotMigration.ExecuteAsync(() => db.KeyExistsAsync([keys.Jobs, keys.Meta, keys.IdempotencyKeys]), cancellationToken) > 0;
    }

    /// <summary>
    /// A SCAN of every primary for the queues' keys (<c>{p}:{q}:jobs</c>, <c>:meta</c>, <c>:keys</c>): O(keys in Redis), for
    /// sweeps, never the job path.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await connection.ConnectAsync(cancellationToken);
        var database = (await connection.DatabaseAsync(cancellationToken)).Database;
        var prefix = options.KeyPrefix + ":{";
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(database, RedisPatternEscape(options.KeyPrefix) + ":{*}:*", pageSize: options.ScanPageSize).WithCancellation(cancellationToken))
            {
                var text = (string)key!;
                int close = text.LastIndexOf("}:", StringComparison.Ordinal);
                if (close > prefix.Length && text.StartsWith(prefix, StringComparison.Ordinal) && text[(close + 2)..] is "jobs" or "meta" or "keys")
                {
                    found.Add(text[prefix.Length..close]);
                }
            }
        }

        return [.. found];
    }

    /// <summary>One HMGET on the queue's hash.</summary>
    public async Task<IReadOnlyList<JobRecord?>> LoadJobsAsync(string queue, IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var found = new JobRecord?[jobIds.Count];
        if (found.Length == 0)
        {
            return found;
        }

        var db = await connection.DatabaseAsync(cancellationToken);
        var fields = new RedisValue[jobIds.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = jobIds[i];
        }

        var values = await db.HashGetAsync(Keys(queue).Jobs, fields);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i].HasValue)
            {
                var record = records.Deserialize((ReadOnlyMemory<byte>)values[i]) ?? throw new InvalidDataException($"Job '{jobIds[i]}' of queue '{queue}' is empty in Redis.");
                found[i] = record with { Id = jobIds[i], Queue = QueuePartitions.QueueOf(queue) };
            }
        }

        return found;
    }

    /// <summary>How many job records Redis holds for a queue (diagnostics and tests; does not claim the queue).</summary>
    public async Task<long> CountAsync(string queue, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        return await db.HashLengthAsync(Keys(queue).Jobs);
    }

    private static string RedisPatternEscape(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"[\\*?\[\]]", @"\$0");

    private QueueKeys Keys(string queue)
    {
        var root = $"{options.KeyPrefix}:{{{queue}}}";
        return new QueueKeys($"{root}:jobs", $"{root}:meta", $"{root}:epoch", $"{root}:keys");
    }

    private readonly record struct QueueKeys(RedisKey Jobs, RedisKey Meta, RedisKey Epoch, RedisKey IdempotencyKeys);
}

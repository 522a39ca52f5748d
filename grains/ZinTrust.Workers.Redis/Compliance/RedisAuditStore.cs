using System.Globalization;
using StackExchange.Redis;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Redis;

/// <summary>
/// The audit log in Redis: a stream <c>{p}:{audit}:log</c> whose entry ids are <c>SEQUENCE-0</c>, each entry holding the record's
/// canonical form (field <c>c</c>, see <see cref="AuditChain"/>) and its hash (field <c>h</c>); and a hash <c>{p}:{audit}:head</c>
/// with the writer's <c>epoch</c>, the last record's <c>seq</c> and <c>hash</c>, and the retention anchor (<c>anchorSeq</c>,
/// <c>anchorHash</c>). Both keys share a hash tag, so one Lua script can touch both atomically.
/// </summary>
/// <remarks>
/// An append is one script: it checks the epoch and that the batch's first record follows the stored head, XADDs every
/// record with its sequence as the entry id, and moves the head; so the records and the head never disagree, and a stale writer
/// stores nothing. Retention is another: XTRIM MINID at the first kept sequence and the last trimmed record becomes the anchor.
/// A batch is acknowledged once Redis applied it (with AOF fsync every second, the last second can be lost on a host crash).
/// </remarks>
public sealed class RedisAuditStore : IAuditStore
{
    // KEYS: head. ARGV: floor, genesis. A new epoch above the stored one and at least the floor; an empty head is initialised.
    private const string ClaimScript = """
        redis.call('HSETNX', KEYS[1], 'seq', '0')
        redis.call('HSETNX', KEYS[1], 'hash', ARGV[2])
        redis.call('HSETNX', KEYS[1], 'anchorSeq', '0')
        redis.call('HSETNX', KEYS[1], 'anchorHash', ARGV[2])
        local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0') + 1
        local floor = tonumber(ARGV[1])
        if floor > epoch then
          epoch = floor
        end
        local text = string.format('%d', epoch)
        redis.call('HSET', KEYS[1], 'epoch', text)
        return redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'hash', 'anchorSeq', 'anchorHash')
        """;

    // KEYS: head, log. ARGV: epoch, expected head seq, expected head hash, record count, then per record: seq, canonical, hash.
    private const string AppendScript = """
        local head = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'hash')
        if head[1] ~= ARGV[1] then
          return redis.error_reply('ZT_FENCED epoch ' .. tostring(head[1]))
        end
        if head[2] ~= ARGV[2] or head[3] ~= ARGV[3] then
          return redis.error_reply('ZT_FENCED head ' .. tostring(head[2]))
        end
        local i = 5
        local seq, hash
        for j = 1, tonumber(ARGV[4]) do
          seq = ARGV[i]
          hash = ARGV[i + 2]
          redis.call('XADD', KEYS[2], seq .. '-0', 'c', ARGV[i + 1], 'h', hash)
          i = i + 3
        end
        redis.call('HSET', KEYS[1], 'seq', seq, 'hash', hash)
        return 1
        """;

    // KEYS: head, log. ARGV: epoch, first sequence kept, the anchor's sequence and hash.
    private const string TrimScript = """
        if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
          return redis.error_reply('ZT_FENCED epoch')
        end
        local removed = redis.call('XTRIM', KEYS[2], 'MINID', ARGV[2] .. '-0')
        redis.call('HSET', KEYS[1], 'anchorSeq', ARGV[3], 'anchorHash', ARGV[4])
        return removed
        """;

    private readonly RedisConnection connection;
    private readonly RedisKey headKey;
    private readonly RedisKey logKey;

    public RedisAuditStore(RedisConnection connection, RedisAuditStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.connection = connection;
        headKey = $"{options.KeyPrefix}:{{audit}}:head";
        logKey = $"{options.KeyPrefix}:{{audit}}:log";
    }

    /// <summary>The stream's key (tests edit entries there directly).</summary>
    public RedisKey LogKey => logKey;

    public async Task<AuditHead> ClaimAsync(long epochFloor, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        var values = (RedisValue[])(await db.ScriptEvaluateAsync(ClaimScript, [headKey], [epochFloor, AuditChain.Genesis]))!;
        return Head(values);
    }

    public async Task<AuditHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        var values = await db.HashGetAsync(headKey, ["epoch", "seq", "hash", "anchorSeq", "anchorHash"]);
        return values[1].HasValue ? Head(values) : AuditHead.Empty(0);
    }

    public async Task AppendAsync(long epoch, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var db = await connection.DatabaseAsync(cancellationToken);
        var args = new RedisValue[4 + (records.Count * 3)];
        args[0] = epoch;
        args[1] = records[0].Sequence - 1;
        args[2] = records[0].PreviousHash;
        args[3] = records.Count;
        int i = 4;
        foreach (var record in records)
        {
            args[i++] = record.Sequence;
            args[i++] = AuditChain.Canonical(record);
            args[i++] = record.Hash;
        }

        try
        {
            await db.ScriptEvaluateAsync(AppendScript, [headKey, logKey], args);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("ZT_FENCED", StringComparison.Ordinal))
        {
            throw new AuditStoreFencedException($"The audit log refused a write of epoch {epoch} after record {records[0].Sequence - 1} (Redis says {ex.Message}).", ex);
        }
    }

    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(long fromSequence, int count, CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        var entries = await db.StreamRangeAsync(logKey, $"{Math.Max(fromSequence, 0)}-0", "+", count);
        var records = new AuditRecord[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            var canonical = (byte[]?)entries[i]["c"] ?? [];
            string hash = entries[i]["h"].ToString();
            records[i] = canonical.Length == 0
                ? Unreadable(entries[i].Id, hash)
                : TryParse(canonical, hash) ?? Unreadable(entries[i].Id, hash);
        }

        return records;
    }

    public async Task<long> TrimAsync(long epoch, long keepFrom, CancellationToken cancellationToken)
    {
        var head = await GetHeadAsync(cancellationToken);
        keepFrom = Math.Min(keepFrom, head.LastSequence);
        if (keepFrom <= head.AnchorSequence + 1)
        {
            return 0;
        }

        var before = await ReadAsync(keepFrom - 1, 1, cancellationToken);
        if (before.Count == 0 || before[0].Sequence != keepFrom - 1)
        {
            throw new InvalidDataException($"The audit log has no record {keepFrom - 1} to anchor the trimmed chain to.");
        }

        var db = await connection.DatabaseAsync(cancellationToken);
        try
        {
            return (long)await db.ScriptEvaluateAsync(TrimScript, [headKey, logKey], [epoch, keepFrom, keepFrom - 1, before[0].Hash]);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("ZT_FENCED", StringComparison.Ordinal))
        {
            throw new AuditStoreFencedException($"The audit log refused a trim of epoch {epoch} (Redis says {ex.Message}).", ex);
        }
    }

    private static AuditHead Head(RedisValue[] values) => new(
        long.Parse(values[0].ToString(), CultureInfo.InvariantCulture),
        long.Parse(values[1].ToString(), CultureInfo.InvariantCulture),
        values[2].ToString(),
        long.Parse(values[3].ToString(), CultureInfo.InvariantCulture),
        values[4].ToString());

    private static AuditRecord? TryParse(byte[] canonical, string hash)
    {
        try
        {
            return AuditChain.Parse(canonical, hash);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>An entry that is not a record any more (edited by hand): kept in place so a verification reports it.</summary>
    private static AuditRecord Unreadable(RedisValue id, string hash) => new()
    {
        Sequence = long.TryParse(id.ToString().Split('-')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0,
        Hash = hash,
        Actor = "",
        Action = "",
        Outcome = "",
    };
}

using System.Globalization;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Redis;

/// <summary>
/// The memory the Redis server uses (<c>INFO memory</c>: <c>used_memory</c>), for storage cost estimates. It is
/// the whole server's, not only this system's keys: Redis is billed by its memory (on a Redis Cluster, the script
/// runs on one node, so it is that node's). INFO goes through a script
/// because the client refuses it outside admin mode, which the shared connection does not enable.
/// </summary>
public sealed class RedisStorageUsage(RedisConnection connection) : IStorageUsage
{
    public string Name => "redis";

    public async Task<long> GetBytesAsync(CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync(cancellationToken);
        var info = (string?)await db.ScriptEvaluateAsync("return redis.call('INFO', 'memory')").WaitAsync(cancellationToken) ?? "";
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("used_memory:", StringComparison.Ordinal)
                && long.TryParse(line.AsSpan("used_memory:".Length).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes))
            {
                return bytes;
            }
        }

        throw new InvalidOperationException("Redis INFO memory did not report used_memory.");
    }
}

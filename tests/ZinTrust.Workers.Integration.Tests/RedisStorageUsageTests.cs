using ZinTrust.Workers.Redis;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>The Redis size that storage cost estimates are charged on, against the real server.</summary>
public sealed class RedisStorageUsageTests
{
    [Fact]
    public async Task RedisStorageUsage_ReportsTheServersUsedMemory_WhichGrowsWithWhatItHolds()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new RedisJobStoreOptions { Configuration = RealServers.Redis };
        await using var connection = new RedisConnection(options);
        var usage = new RedisStorageUsage(connection);
        var db = await connection.DatabaseAsync(ct);
        var key = $"zt-test-{Guid.NewGuid():N}:size";

        long before = await usage.GetBytesAsync(ct);
        await db.StringSetAsync(key, new string('x', 4 * 1024 * 1024));
        long after = await usage.GetBytesAsync(ct);
        await db.KeyDeleteAsync(key);

        Assert.Equal("redis", usage.Name);
        Assert.True(before > 0, $"used_memory {before}");
        Assert.True(after >= before + (4 * 1024 * 1024), $"used_memory {before} -> {after} after a 4 MiB value");
    }
}

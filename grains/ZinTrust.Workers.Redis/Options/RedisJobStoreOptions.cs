namespace ZinTrust.Workers.Redis;

/// <summary>Where and how the Redis job store keeps jobs.</summary>
public sealed class RedisJobStoreOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>. Required.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>The logical database (REDIS_QUEUE_DB). Default: 0.</summary>
    public int Database { get; set; }

    /// <summary>Prefix of every key; each queue's keys are <c>{prefix}:{&lt;queue&gt;}:…</c> (hash-tagged for Redis Cluster). Default: <c>zt</c>.</summary>
    public string KeyPrefix { get; set; } = "zt";

    /// <summary>How long start-up waits for Redis before failing with a message naming the setting. Default: 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>HSCAN page size when a queue is reloaded. Default: 1000.</summary>
    public int ScanPageSize { get; set; } = 1000;

    /// <summary>
    /// On Redis Cluster: how long a queue's batch keeps being tried again while Redis answers TRYAGAIN because the queue's hash
    /// slot is being migrated to another node (a resharding); after it, the batch fails (the queue reports QUEUE_UNAVAILABLE).
    /// <see cref="TimeSpan.Zero"/> tries once. Default: 10 s.
    /// </summary>
    public TimeSpan SlotMigrationRetryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

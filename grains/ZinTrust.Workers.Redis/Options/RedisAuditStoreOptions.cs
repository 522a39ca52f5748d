namespace ZinTrust.Workers.Redis;

/// <summary>Where the Redis audit store keeps the log.</summary>
public sealed class RedisAuditStoreOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>. Required.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>The logical database (REDIS_QUEUE_DB). Default: 0.</summary>
    public int Database { get; set; }

    /// <summary>Prefix of the log's keys, <c>{prefix}:{audit}:log</c> and <c>{prefix}:{audit}:head</c> (hash-tagged: one Redis
    /// Cluster slot). Default: <c>ZinTrust</c> (the host uses WORKER_PERSISTENCE_REDIS_KEY_PREFIX, else APP_NAME).</summary>
    public string KeyPrefix { get; set; } = "ZinTrust";

    /// <summary>How long start-up waits for Redis before failing with a message naming the setting. Default: 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

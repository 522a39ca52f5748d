using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Redis;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// The real servers started by <c>infra/test.sh</c> (ZT_TEST_REDIS = host:port). Without them the tests are
/// skipped with a message saying how to run them.
/// </summary>
public static class RealServers
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static string Redis => Environment.GetEnvironmentVariable("ZT_TEST_REDIS") is { Length: > 0 } r
        ? r
        : throw Skip("ZT_TEST_REDIS");

    public static string Postgres => TestPostgres.ConnectionString;

    /// <summary>A new, empty database (optionally migrated); returns its connection string.</summary>
    public static Task<string> FreshDatabaseAsync(bool migrate, CancellationToken cancellationToken) =>
        TestPostgres.FreshDatabaseAsync(migrate, cancellationToken);

    public static string RepositoryRoot => Repository.Root;

    /// <summary>A Redis job store with its own key prefix (so runs and tests never see each other's queues).</summary>
    public static (RedisJobStore Store, RedisJobStoreOptions Options) RedisStore(string? prefix = null, string? configuration = null, Action<RedisJobStoreOptions>? configure = null)
    {
        var options = new RedisJobStoreOptions { Configuration = configuration ?? Redis, KeyPrefix = prefix ?? $"zt-test-{Guid.NewGuid():N}" };
        configure?.Invoke(options);
        var store = new RedisJobStore(
            new RedisConnection(options),
            Serialization.GetRequiredService<Serializer<JobRecord>>(),
            Serialization.GetRequiredService<Serializer<QueueMetadata>>(),
            Serialization.GetRequiredService<Serializer<IdempotencyKeyRecord>>(),
            options);
        return (store, options);
    }

    public static RecordingJobStore Recording(RedisJobStore store) =>
        new(store, queue => (int)store.CountAsync(queue, CancellationToken.None).GetAwaiter().GetResult());

    private static InvalidOperationException Skip(string variable) =>
        new InvalidOperationException($"{variable} is not set: run the integration tests through ./infra/test.sh, which starts the real servers.");
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Redis;

namespace Orleans.Hosting;

/// <summary>Puts the job store of ZinTrust workers in Redis.</summary>
public static class RedisJobStoreExtensions
{
    public static ISiloBuilder AddZinTrustRedisJobStore(this ISiloBuilder builder, Action<RedisJobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisJobStoreOptions();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            throw new ArgumentException("RedisJobStoreOptions.Configuration is required (set REDIS_HOST and REDIS_PORT).", nameof(configure));
        }

        if (options.SlotMigrationRetryTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("RedisJobStoreOptions.SlotMigrationRetryTimeout must not be negative.", nameof(configure));
        }

        builder.AddZinTrustRedisConnectionCheck(options);
        builder.Services.RemoveAll<IJobStore>();
        builder.Services.AddSingleton<IJobStore>(sp => new RedisJobStore(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<Serializer<JobRecord>>(),
            sp.GetRequiredService<Serializer<QueueMetadata>>(),
            sp.GetRequiredService<Serializer<IdempotencyKeyRecord>>(),
            options));
        return builder;
    }

    /// <summary>
    /// Connects to Redis while the silo starts, so a wrong host, port or password stops start-up with a message
    /// naming REDIS_HOST, REDIS_PORT and REDIS_PASSWORD, and lets storage cost estimates measure the server.
    /// Registered once, whatever uses Redis.
    /// </summary>
    public static ISiloBuilder AddZinTrustRedisConnectionCheck(this ISiloBuilder builder, RedisJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(RedisJobStoreOptions)))
        {
            return builder;
        }

        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton<RedisConnection>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStorageUsage, RedisStorageUsage>());
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RedisStartupCheck>();
        return builder;
    }

    private sealed class RedisStartupCheck(RedisConnection connection) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(RedisStartupCheck), ServiceLifecycleStage.RuntimeInitialize, async ct => await connection.ConnectAsync(ct));
    }
}

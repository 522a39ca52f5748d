using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Redis;

namespace Orleans.Hosting;

/// <summary>Puts the audit log of ZinTrust workers in a Redis stream.</summary>
public static class RedisAuditStoreExtensions
{
    public static ISiloBuilder AddZinTrustRedisAuditStore(this ISiloBuilder builder, Action<RedisAuditStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisAuditStoreOptions();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            throw new ArgumentException("RedisAuditStoreOptions.Configuration is required (set REDIS_HOST and REDIS_PORT).", nameof(configure));
        }

        // The shared connection (and its start-up check); a no-op when the job store or the host registered it already.
        builder.AddZinTrustRedisConnectionCheck(new RedisJobStoreOptions
        {
            Configuration = options.Configuration,
            Database = options.Database,
            ConnectTimeout = options.ConnectTimeout,
        });
        builder.Services.RemoveAll<IAuditStore>();
        builder.Services.AddSingleton<IAuditStore>(sp => new RedisAuditStore(sp.GetRequiredService<RedisConnection>(), options));
        return builder;
    }
}

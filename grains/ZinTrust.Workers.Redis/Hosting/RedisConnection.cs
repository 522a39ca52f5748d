using StackExchange.Redis;

namespace ZinTrust.Workers.Redis;

/// <summary>
/// One shared multiplexer, connected on first use. It reconnects by itself after Redis restarts; commands
/// issued while it is disconnected fail fast (and the queue grain reports QUEUE_UNAVAILABLE) instead of hanging.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly RedisJobStoreOptions options;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ConnectionMultiplexer? multiplexer;

    public RedisConnection(RedisJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    public async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        var mux = multiplexer ?? await ConnectAsync(cancellationToken);
        return mux.GetDatabase(options.Database);
    }

    /// <summary>Connects (once) and checks Redis answers, within <see cref="RedisJobStoreOptions.ConnectTimeout"/>.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (multiplexer is { } existing)
        {
            return existing;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (multiplexer is not null)
            {
                return multiplexer;
            }

            var config = ConfigurationOptions.Parse(options.Configuration);
            config.AbortOnConnectFail = false;
            config.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
            config.ClientName ??= "zintrust-workers";
            var mux = await ConnectionMultiplexer.ConnectAsync(config);
            try
            {
                await mux.GetDatabase(options.Database).PingAsync().WaitAsync(options.ConnectTimeout, cancellationToken);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                await mux.DisposeAsync();
                // One readable line: the root cause only (the client's own message is a page of diagnostics).
                var root = ex;
                while (root.InnerException is not null)
                {
                    root = root.InnerException;
                }

                throw new InvalidOperationException(
                    $"Redis at '{RedactedEndpoints(config)}' did not answer within {options.ConnectTimeout.TotalSeconds:0.#} s ({root.Message}). Check REDIS_HOST, REDIS_PORT and REDIS_PASSWORD.");
            }

            multiplexer = mux;
            return mux;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (multiplexer is not null)
        {
            await multiplexer.DisposeAsync();
        }

        gate.Dispose();
    }

    private static string RedactedEndpoints(ConfigurationOptions config) => string.Join(",", config.EndPoints.Select(e => e.ToString()));
}

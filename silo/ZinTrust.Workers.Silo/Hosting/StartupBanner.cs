namespace ZinTrust.Workers.Silo;

/// <summary>Tells the operator where the facade listens once the host has started.</summary>
public static partial class StartupBanner
{
    public static void LogStartupBanner(this WebApplication app, HostSettings settings, ApiKeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(keys);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ZinTrust.Workers");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            LogListening(logger, $"http://{settings.HttpHost}:{settings.HttpPort}", settings.Workers.PersistenceDriver, settings.Workers.AutoStart);
            LogKeys(logger, keys.Count, keys.GeneratedDevelopmentKey is not null);
            if (keys.GeneratedDevelopmentKey is { } key)
            {
                // Straight to the terminal, not through logging: keys never reach a log sink.
                Console.Out.WriteLine($"Development API key (admin, this run only): {key}");
                Console.Out.WriteLine($"  curl -H 'X-Api-Key: {key}' http://{settings.HttpHost}:{settings.HttpPort}/api/workers");
            }
        });
    }

    [LoggerMessage(5101, LogLevel.Information, "API keys: {Count} configured (generated for development: {Generated})")]
    private static partial void LogKeys(ILogger logger, int count, bool generated);

    [LoggerMessage(5100, LogLevel.Information, "ZinTrust workers ready: REST API on {Url} (persistence {Driver}, WORKER_AUTO_START={AutoStart})")]
    private static partial void LogListening(ILogger logger, string url, string driver, bool autoStart);
}

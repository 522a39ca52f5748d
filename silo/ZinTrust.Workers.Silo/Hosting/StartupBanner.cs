namespace ZinTrust.Workers.Silo;

/// <summary>Tells the operator where the facade listens once the host has started.</summary>
public static partial class StartupBanner
{
    public static void LogStartupBanner(this WebApplication app, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ZinTrust.Workers");
        app.Lifetime.ApplicationStarted.Register(() => LogListening(
            logger,
            $"http://{settings.HttpHost}:{settings.HttpPort}",
            settings.Workers.PersistenceDriver,
            settings.Workers.AutoStart));
    }

    [LoggerMessage(5100, LogLevel.Information, "ZinTrust workers ready: REST API on {Url} (persistence {Driver}, WORKER_AUTO_START={AutoStart})")]
    private static partial void LogListening(ILogger logger, string url, string driver, bool autoStart);
}

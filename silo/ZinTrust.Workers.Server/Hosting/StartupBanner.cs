namespace ZinTrust.Workers.Server;

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
            var root = $"{(settings.ApiCertificate is null ? "http" : "https")}://{settings.HttpHost}:{settings.HttpPort}";
            LogListening(logger, root, settings.Workers.PersistenceDriver, settings.Workers.AutoStart);
            LogKeys(logger, keys.Count, keys.GeneratedDevelopmentKey is not null);
            if (settings.ConsoleEnabled || settings.DashboardEnabled)
            {
                LogPages(logger, settings.ConsoleEnabled ? root + "/ui/" : "off (WORKER_CONSOLE_ENABLED=false)",
                    settings.DashboardEnabled ? root + ApiSecurity.DashboardPath + "/" : "off (WORKER_DASHBOARD_ENABLED=false)");
            }
            if (keys.GeneratedDevelopmentKey is { } key)
            {
                // Straight to the terminal, not through logging: keys never reach a log sink.
                Console.Out.WriteLine($"Development API key (admin, this run only): {key}");
                Console.Out.WriteLine($"  curl -H 'X-Api-Key: {key}' {root}/api/workers");
            }
        });
    }

    [LoggerMessage(5102, LogLevel.Information, "Web console: {Console} (sign in with an API key); Orleans dashboard: {Dashboard}")]
    private static partial void LogPages(ILogger logger, string console, string dashboard);

    [LoggerMessage(5101, LogLevel.Information, "API keys: {Count} configured (generated for development: {Generated})")]
    private static partial void LogKeys(ILogger logger, int count, bool generated);

    [LoggerMessage(5100, LogLevel.Information, "ZinTrust workers ready: REST API on {Url} (persistence {Driver}, WORKER_AUTO_START={AutoStart})")]
    private static partial void LogListening(ILogger logger, string url, string driver, bool autoStart);
}

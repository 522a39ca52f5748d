using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Silo;

/// <summary>The host's composition: logging, the silo, the HTTP endpoint.</summary>
public static class WorkersHostExtensions
{
    public const string ServiceId = "zintrust-workers";
    public const string ClusterId = "zintrust-dev";

    public static WebApplicationBuilder AddZinTrustWorkersHost(this WebApplicationBuilder builder, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.Services.AddSingleton(settings);
        ConfigureLogging(builder.Logging, settings);

        builder.WebHost.UseUrls($"http://{settings.HttpHost}:{settings.HttpPort}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = ApiJson.MaxBodyBytes;
            k.AddServerHeader = false;
        });

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = ServiceId;
                o.ClusterId = ClusterId;
            });
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
            silo.UseInMemoryReminderService();
            silo.AddZinTrustWorkers(w =>
            {
                w.Configure(o => Copy(settings.Workers, o));
                if (settings.DemoWorker)
                {
                    w.AddDemoProcessors();
                }
            });
        });
        return builder;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, HostSettings settings)
    {
        logging.ClearProviders();
        if (settings.LogFormat == "json")
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        logging.SetMinimumLevel(settings.LogLevel);
        if (settings.LogLevel > LogLevel.Debug)
        {
            // Orleans narrates its own start-up at Information; keep the operator's log about workers.
            logging.AddFilter("Orleans", LogLevel.Warning);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("Polly", LogLevel.Warning);
        }
    }

    private static void Copy(WorkersOptions from, WorkersOptions to)
    {
        to.Enabled = from.Enabled;
        to.WorkerEnabledByDefault = from.WorkerEnabledByDefault;
        to.DefaultConcurrency = from.DefaultConcurrency;
        to.DefaultTimeout = from.DefaultTimeout;
        to.DefaultAttempts = from.DefaultAttempts;
        to.AutoStart = from.AutoStart;
        to.DefaultPriority = from.DefaultPriority;
        to.ConnectionTimeout = from.ConnectionTimeout;
        to.HealthCheckInterval = from.HealthCheckInterval;
        to.PersistenceDriver = from.PersistenceDriver;
        to.SupervisionInterval = from.SupervisionInterval;
        to.IdlePollInterval = from.IdlePollInterval;
        to.TimeoutGrace = from.TimeoutGrace;
        to.ShutdownDrainTimeout = from.ShutdownDrainTimeout;
    }
}

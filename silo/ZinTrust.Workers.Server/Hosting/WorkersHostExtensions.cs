using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>The host's composition, part by part: the silo (logging, telemetry, Orleans and its backends) and the API's services.</summary>
internal static class WorkersHostExtensions
{
    /// <summary>Logging, telemetry and the silo with its backends; <paramref name="workers"/> registers more processors,
    /// health checks and plugins.</summary>
    public static void AddSilo(IHostApplicationBuilder builder, HostSettings settings, Action<WorkersBuilder>? workers)
    {
        builder.Services.AddSingleton(settings);
        builder.Services.AddZinTrustTelemetry(settings);
        ConfigureLogging(builder.Logging, settings);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = settings.ServiceId;
                o.ClusterId = settings.ClusterId;
            });
            if (settings.ClusterDriver == "postgres")
            {
                silo.ConfigureEndpoints(settings.AdvertisedAddress, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: settings.ListenOnAnyAddress);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = settings.ConnectionStrings[settings.ClusterConnectionName];
                });
            }
            else
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
            }

            if (settings.Tls is { } tls)
            {
                // Silo-to-silo and client-to-gateway connections: TLS with certificates both ways (ClusterTls).
                silo.UseTls(tls.Certificate, o => tls.Configure(o, builder.Environment.IsDevelopment()));
            }

            if (settings.OpenTelemetryEnabled)
            {
                // Grain calls carry the caller's span (through the request context) and show in its trace. Off otherwise:
                // it costs a filter on every call.
                silo.AddActivityPropagation();
            }

            ConfigureBackends(silo, settings);
            if (settings.DashboardEnabled)
            {
                // The Orleans dashboard's grains and counters; its pages are mapped under /dashboard with the console.
                silo.AddDashboard();
            }

            silo.AddZinTrustWorkers(w =>
            {
                w.Configure(o => Copy(settings.Workers, o));
                w.ConfigurePlugins(o => builder.Configuration.GetSection(PluginOptions.SectionName).Bind(o));
                w.ConfigureResourceMonitor(o => Copy(settings.Resources, o));
                w.ConfigureCosts(o => Copy(settings.Costs, o));
                w.ConfigureAlerts(o => Copy(settings.Alerts, o));
                w.ConfigureCompliance(o => o.DataRetention = settings.Compliance.RetentionDays == 0 ? null : TimeSpan.FromDays(settings.Compliance.RetentionDays));
                w.ConfigureProcessorSpecs(o => Copy(settings.ProcessorSpecs, o));
                w.ConfigureAudit(o => Copy(settings.Audit, o));
                w.AddBuiltInProcessors();
                if (settings.SiloRegion is { } region)
                {
                    w.InRegion(region, settings.SiloZone);
                }

                if (settings.DemoWorker)
                {
                    w.AddDemoProcessors();
                }

                workers?.Invoke(w);
            });
            if (settings.Compliance.KeyRing is { } ring)
            {
                // After the job store is chosen: the encryption wraps whichever it is.
                silo.AddZinTrustPayloadEncryption(ring, encryptNewData: settings.Compliance.Encrypting);
            }
        });
    }

    /// <summary>The REST API's services: where it listens (WORKER_API_HOST, PORT, the metrics port), readiness, the queue
    /// directory, OpenAPI, the console's key ring and API keys and roles.</summary>
    public static void AddApi(WebApplicationBuilder builder, HostSettings settings, ApiKeyRing keys)
    {
        builder.Services.AddSingleton<ReadinessProbe>();
        // Errors are the framework's problem details (with our code and the trace id); what escapes an endpoint is mapped
        // by the exception handler.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiErrors.AddTraceId);
        builder.Services.AddExceptionHandler<WorkersExceptionHandler>();
        builder.Services.AddSingleton(sp => new QueueDirectory(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IJobStore>(), TimeProvider.System));
        // Concurrent single-job POSTs to one queue share grain calls (each request keeps its own answer and error).
        builder.Services.AddSingleton(sp => new ZinTrust.Workers.Abstractions.EnqueueBatchers(sp.GetRequiredService<IGrainFactory>()));
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));   // typed results write as ApiJson does
        builder.Services.AddWorkersOpenApi();
        // HTTPS on PORT when WORKER_API_CERTIFICATE is set; the metrics port stays plain HTTP (a scraper on the inside).
        var api = $"{(settings.ApiCertificate is null ? "http" : "https")}://{settings.HttpHost}:{settings.HttpPort}";
        builder.WebHost.UseUrls(settings.PrometheusPort is { } metricsPort ? [api, $"http://{settings.HttpHost}:{metricsPort}"] : [api]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = ApiJson.MaxBodyBytes;
            k.AddServerHeader = false;
            if (settings.ApiCertificate is { } certificate)
            {
                k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });

        if (settings.UsesRedis)
        {
            // Console sessions and antiforgery tokens are protected by ASP.NET Data Protection. With the key ring in Redis,
            // every silo of the service reads the same keys: a session opened on one silo holds on all of them, and across
            // restarts. (Without Redis the ring stays in the user's profile directory: one machine.)
            var redis = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(RedisOptions(settings)));
            builder.Services.AddDataProtection()
                .SetApplicationName($"ZinTrust.Workers/{settings.ServiceId}")
                .PersistKeysToStackExchangeRedis(() => redis.Value.GetDatabase(settings.RedisDatabase), $"{settings.StateKeyPrefix}:data-protection-keys");
        }

        builder.Services.AddZinTrustApiSecurity(settings, keys, builder.Environment);
    }

    /// <summary>Job store, grain storage, reminders and the audit log's store, by QUEUE_DRIVER and WORKER_PERSISTENCE_DRIVER.</summary>
    private static void ConfigureBackends(ISiloBuilder silo, HostSettings settings)
    {
        if (settings.QueueDriver == "redis")
        {
            silo.AddZinTrustRedisJobStore(o =>
            {
                o.Configuration = settings.RedisConfiguration;
                o.Database = settings.RedisDatabase;
                o.KeyPrefix = settings.QueueRedisKeyPrefix;
                o.ConnectTimeout = settings.Workers.ConnectionTimeout * 2;
            });
        }

        if (settings.Workers.PersistenceDriver == "redis")
        {
            var prefix = settings.StateKeyPrefix;
            silo.AddRedisGrainStorage(WorkersStorage.Name, builder => builder.Configure<Serializer>((o, serializer) =>
            {
                o.ConfigurationOptions = RedisOptions(settings);
                // Orleans' binary format: version tolerant through the [Id]s of the state types, unlike the
                // default JSON serializer whose $type names break when a type moves.
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                o.GetStorageKey = (name, grainId) => $"{prefix}:worker-state:{grainId}:{name}";
                o.DeleteStateOnClear = true;
            }));
        }

        if (settings.Workers.PersistenceDriver == "db")
        {
            silo.AddZinTrustPostgresGrainStorage(settings.ConnectionStrings[settings.DbConnectionName], settings.DbTable, settings.DbConnectionName);
        }

        if (settings.UsesRedis)
        {
            // The audit log goes where the durable state goes: a Redis stream beside the worker state's keys.
            silo.AddZinTrustRedisAuditStore(o =>
            {
                o.Configuration = settings.RedisConfiguration;
                o.Database = settings.RedisDatabase;
                o.KeyPrefix = settings.StateKeyPrefix;
                o.ConnectTimeout = settings.Workers.ConnectionTimeout * 2;
            });
            silo.UseRedisReminderService(o => o.ConfigurationOptions = RedisOptions(settings));
            // Fail start-up early, naming REDIS_HOST, also when Redis holds only state and reminders.
            silo.AddZinTrustRedisConnectionCheck(new ZinTrust.Workers.Redis.RedisJobStoreOptions
            {
                Configuration = settings.RedisConfiguration,
                Database = settings.RedisDatabase,
                ConnectTimeout = settings.Workers.ConnectionTimeout * 2,
            });
        }
        else
        {
            silo.UseInMemoryReminderService();
        }
    }

    private static ConfigurationOptions RedisOptions(HostSettings settings)
    {
        var options = ConfigurationOptions.Parse(settings.RedisConfiguration);
        options.ConnectTimeout = (int)(settings.Workers.ConnectionTimeout * 2).TotalMilliseconds;
        return options;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, HostSettings settings)
    {
        logging.ClearProviders();
        if (settings.LogFormat == "json")
        {
            logging.AddJsonConsole(o =>
            {
                // The Timestamp field: UTC, as its Z says.
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
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

    /// <summary>Every settable property of the loaded (bound and validated) options onto the silo's: a field-by-field copy
    /// silently dropped the options added after it was written (the event feed's window, the store-write bounds).</summary>
    private static void Copy<TOptions>(TOptions from, TOptions to)
        where TOptions : class
    {
        foreach (var property in typeof(TOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property is { CanRead: true, CanWrite: true } && property.GetIndexParameters().Length == 0)
            {
                property.SetValue(to, property.GetValue(from));
            }
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Reads <see cref="HostSettings"/> from configuration: the <c>Workers</c> section of appsettings first, then the
/// seed's environment variables (which win). Every problem is reported, each naming the setting to fix.
/// </summary>
public static partial class HostSettingsLoader
{
    /// <summary>SILO_ADVERTISED_IP: an IP address as it is, or a host name resolved now (IPv4 first), so a bad name stops start-up
    /// with its variable named rather than a silo no one can reach.</summary>
    private static void ReadAddress(string value, HostSettings settings, List<string> problems)
    {
        if (System.Net.IPAddress.TryParse(value, out var address))
        {
            settings.AdvertisedAddress = address;
            return;
        }

        try
        {
            var addresses = System.Net.Dns.GetHostAddresses(value);
            settings.AdvertisedAddress = addresses.OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).First();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ArgumentException or InvalidOperationException)
        {
            problems.Add($"SILO_ADVERTISED_IP: '{Shorten(value)}' is neither an IP address nor a host name this machine can resolve.");
        }
    }

    private static readonly string[] TrueWords = ["true", "1", "yes", "on"];
    private static readonly string[] FalseWords = ["false", "0", "no", "off"];

    public static HostSettings Load(IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new HostSettings();
        var problems = new List<string>();
        var o = settings.Workers;

        Bind(configuration, WorkersOptions.SectionName, o, problems);
        Bind(configuration, $"{WorkersOptions.SectionName}:Resources", settings.Resources, problems);
        Bind(configuration, $"{WorkersOptions.SectionName}:Costs", settings.Costs, problems);
        Bind(configuration, ProcessorSpecOptions.SectionName, settings.ProcessorSpecs, problems);
        Bind(configuration, AuditLogOptions.SectionName, settings.Audit, problems);
        Bind(configuration, AlertOptions.SectionName, settings.Alerts, problems);

        var env = new Reader(configuration, problems);
        env.Bool("WORKERS_ENABLED", v => o.Enabled = v);
        env.Bool("WORKER_ENABLED", v => o.WorkerEnabledByDefault = v);
        env.Int("WORKER_CONCURRENCY", v => o.DefaultConcurrency = v);
        env.Int("WORKER_TIMEOUT", v => o.DefaultTimeout = TimeSpan.FromSeconds(v), "seconds");
        env.Int("WORKER_RETRIES", v => o.DefaultAttempts = v);
        env.Bool("WORKER_AUTO_START", v => o.AutoStart = v);
        env.Int("WORKER_PRIORITY", v => o.DefaultPriority = v);
        env.Int("WORKER_CONNECTION_TIMEOUT", v => o.ConnectionTimeout = TimeSpan.FromMilliseconds(v), "milliseconds");
        env.Int("WORKER_HEALTH_CHECK_INTERVAL", v => o.HealthCheckInterval = TimeSpan.FromSeconds(v), "seconds");
        env.String("WORKER_REGION", v => o.DefaultRegion = v.Trim());
        env.Bool("WORKER_AUTO_SCALING_ENABLED", v => o.AutoScalingEnabled = v);
        env.Int("WORKER_AUTO_SCALING_INTERVAL", v => o.AutoScalingInterval = TimeSpan.FromSeconds(v), "seconds");
        env.Bool("WORKER_OFF_PEAK_SCALING", v => o.OffPeakScaling = v);
        env.String("WORKER_OFF_PEAK_SCHEDULE", v => o.OffPeakSchedule = v.Trim());
        env.Number("WORKER_OFF_PEAK_REDUCTION", v => o.OffPeakReduction = v);
        env.Number("WORKER_AUTO_SCALING_CPU_CEILING", v => o.AutoScalingCpuCeiling = v);
        env.String("WORKER_PERSISTENCE_DRIVER", v => o.PersistenceDriver = v.Trim().ToLowerInvariant() switch
        {
            "database" => "db",
            var d => d,
        });
        env.String("LOG_LEVEL", v =>
        {
            if (ParseLogLevel(v) is { } level)
            {
                settings.LogLevel = level;
            }
            else
            {
                problems.Add($"LOG_LEVEL: '{Shorten(v)}' is not a log level (trace, debug, info, warn, error, fatal, none).");
            }
        });
        env.Choice("LOG_FORMAT", "a log format", ["text", "json"], v => settings.LogFormat = v);
        env.String("WORKER_API_HOST", v => settings.HttpHost = v.Trim());
        env.Int("PORT", v => settings.HttpPort = v);
        env.Int("SILO_PORT", v => settings.SiloPort = v);
        env.Int("GATEWAY_PORT", v => settings.GatewayPort = v);
        env.Bool("WORKER_DEMO", v => settings.DemoWorker = v);
        env.Bool("WORKER_PROMETHEUS_ENABLED", v => settings.PrometheusEnabled = v);
        env.Int("WORKER_PROMETHEUS_PORT", v => settings.PrometheusPort = v);
        settings.PrometheusEnabled |= settings.PrometheusPort is not null;
        env.Bool("WORKER_OPENTELEMETRY_ENABLED", v => settings.OpenTelemetryEnabled = v);
        env.String("WORKER_OPENTELEMETRY_ENDPOINT", v =>
        {
            if (Uri.TryCreate(v.Trim(), UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https")
            {
                settings.OpenTelemetryEndpoint = endpoint;
            }
            else
            {
                problems.Add($"WORKER_OPENTELEMETRY_ENDPOINT: '{Shorten(v)}' is not an http(s) address (such as http://localhost:4318).");
            }
        });
        var protocol = configuration["WORKER_OPENTELEMETRY_PROTOCOL"] is { Length: > 0 } ? "WORKER_OPENTELEMETRY_PROTOCOL" : "OTEL_EXPORTER_OTLP_PROTOCOL";
        env.Choice(protocol, "an OTLP protocol", ["http/protobuf", "grpc"], v => settings.OpenTelemetryProtocol = v);
        env.Number("WORKER_OPENTELEMETRY_SAMPLE_RATIO", v =>
        {
            if (v is >= 0 and <= 1)
            {
                settings.OpenTelemetrySampleRatio = v;
            }
            else
            {
                problems.Add($"WORKER_OPENTELEMETRY_SAMPLE_RATIO: {v.ToString(CultureInfo.InvariantCulture)} is not between 0 and 1.");
            }
        });
        env.Choice("QUEUE_DRIVER", "a job store", ["memory", "redis"], v => settings.QueueDriver = v);
        env.String("REDIS_HOST", v => settings.RedisHost = v.Trim());
        env.Int("REDIS_PORT", v => settings.RedisPort = v);
        var password = configuration["REDIS_PASSWORD"];
        settings.RedisPassword = string.IsNullOrEmpty(password) ? null : password;
        env.Int("REDIS_QUEUE_DB", v => settings.RedisDatabase = v);
        env.String("APP_NAME", v => settings.AppName = v.Trim());
        env.String("WORKER_PERSISTENCE_REDIS_KEY_PREFIX", v => settings.PersistenceRedisKeyPrefix = v.Trim());
        env.String("QUEUE_REDIS_KEY_PREFIX", v => settings.QueueRedisKeyPrefix = v.Trim());
        env.String("WORKER_PERSISTENCE_DB_CONNECTION", v => settings.DbConnectionName = v.Trim());
        env.String("WORKER_PERSISTENCE_TABLE", v => settings.DbTable = v.Trim());
        env.String("CLUSTER_DB_CONNECTION", v => settings.ClusterConnectionName = v.Trim());
        env.Choice("CLUSTER_DRIVER", "a clustering driver", ["localhost", "postgres"], v => settings.ClusterDriver = v);
        env.String("CLUSTER_ID", v => settings.ClusterId = v.Trim());
        env.String("SERVICE_ID", v => settings.ServiceId = v.Trim());
        env.String("SILO_ADVERTISED_IP", v => ReadAddress(v.Trim(), settings, problems));
        env.Bool("SILO_LISTEN_ANY", v => settings.ListenOnAnyAddress = v);
        env.String("SILO_REGION", v => settings.SiloRegion = v.Trim());
        env.String("SILO_ZONE", v => settings.SiloZone = v.Trim());
        env.String("WORKER_API_KEYS", v => ApiKeyParser.ParseList(v, "WORKER_API_KEYS", settings.ApiKeys, problems));
        env.String("WORKER_API_KEYS_FILE", v => ApiKeyParser.ParseFile(v.Trim(), settings.ApiKeys, problems));
        env.Int("WORKER_API_RATE_LIMIT", v => settings.ApiRateLimit = v, "requests per second");
        env.Int("WORKER_API_RATE_BURST", v => settings.ApiRateBurst = v, "requests");
        env.Bool("WORKER_API_DOCS_PUBLIC", v => settings.ApiDocsPublic = v);
        env.Bool("WORKER_CONSOLE_ENABLED", v => settings.ConsoleEnabled = v);
        env.Bool("WORKER_CONSOLE_SECURE_COOKIE", v => settings.ConsoleSecureCookie = v);
        env.Int("WORKER_CONSOLE_SESSION_MINUTES", v =>
        {
            if (v is < 1 or > 43_200)
            {
                problems.Add($"WORKER_CONSOLE_SESSION_MINUTES: {v} is outside 1..43200 minutes (30 days).");
            }
            else
            {
                settings.ConsoleSessionMinutes = v;
            }
        }, "minutes");
        env.Bool("WORKER_DASHBOARD_ENABLED", v => settings.DashboardEnabled = v);
        settings.Tls = ClusterTls.Read(configuration, problems);
        settings.ApiCertificate = ApiHttps.Read(configuration, problems);
        var compliance = settings.Compliance = ComplianceSettings.ReadKeyRing(configuration, problems);
        env.Bool("WORKER_ENCRYPTION", v => compliance.EncryptionRequested = v);
        env.Int("WORKER_DATA_RETENTION", v => compliance.RetentionDays = v, "days");
        env.Bool("WORKER_GDPR", v => compliance.Gdpr = v);
        env.Bool("WORKER_HIPAA", v => compliance.Hipaa = v);
        env.Bool("WORKER_SOC2", v => compliance.Soc2 = v);
        var resources = settings.Resources;
        env.Bool("WORKER_RESOURCE_MONITORING", v => resources.Enabled = v);
        env.Int("WORKER_RESOURCE_MONITORING_INTERVAL", v => resources.Interval = TimeSpan.FromSeconds(v), "seconds");
        var costs = settings.Costs;
        env.Number("WORKER_COST_PER_CORE_HOUR", v => costs.CostPerCoreHour = v);
        env.Number("WORKER_COST_PER_GB_HOUR", v => costs.CostPerGbHour = v);
        env.Number("WORKER_COST_STORAGE_PER_GB_MONTH", v => costs.StoragePerGbMonth = v);
        env.String("WORKER_COST_CURRENCY", v => costs.Currency = v.Trim().ToUpperInvariant());
        env.Bool("WORKER_SPOT_INSTANCES", v => costs.SpotInstances = v);
        env.Number("WORKER_SPOT_DISCOUNT", v => costs.SpotDiscount = v);
        var specs = settings.ProcessorSpecs;
        env.String("WORKER_PROCESSOR_ROOT", v => specs.Root = v.Trim());
        env.String("REMOTE_PROCESSOR_ALLOWLIST", v => specs.AllowedHosts = [.. v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]);
        env.Int("PROCESSOR_FETCH_MAX_SIZE", v => specs.FetchMaxSize = v, "bytes");
        env.Int("PROCESSOR_FETCH_TIMEOUT", v => specs.FetchTimeout = TimeSpan.FromMilliseconds(v), "milliseconds");
        env.Int("PROCESSOR_FETCH_RETRY_ATTEMPTS", v => specs.FetchRetryAttempts = v);
        env.Int("PROCESSOR_FETCH_RETRY_BACKOFF_MS", v => specs.FetchRetryBackoff = TimeSpan.FromMilliseconds(v), "milliseconds");
        env.Int("PROCESSOR_CACHE_DEFAULT_TTL", v => specs.CacheDefaultTtl = TimeSpan.FromSeconds(v), "seconds");
        env.Int("PROCESSOR_CACHE_MAX_TTL", v => specs.CacheMaxTtl = TimeSpan.FromSeconds(v), "seconds");
        env.Int("PROCESSOR_CACHE_MAX_SIZE", v => specs.CacheMaxSize = v, "bytes");
        ReadAlerts(env, settings.Alerts);
        env.Bool("WORKER_AUDIT_LOG", v => settings.Audit.Enabled = v);
        env.Int("WORKER_AUDIT_RETENTION_DAYS", v => settings.Audit.RetentionDays = v, "days");
        foreach (var entry in configuration.GetSection("ConnectionStrings").GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(entry.Value))
            {
                settings.ConnectionStrings[entry.Key] = entry.Value;
            }
        }

        if (!ZinTrust.Workers.PostgreSql.Migration.IsValidTableName(settings.DbTable))
        {
            problems.Add($"WORKER_PERSISTENCE_TABLE: '{Shorten(settings.DbTable)}' is not a valid table name (lower-case letters, digits, _).");
        }

        if (o.PersistenceDriver == "db" && !settings.ConnectionStrings.ContainsKey(settings.DbConnectionName))
        {
            problems.Add($"WORKER_PERSISTENCE_DB_CONNECTION: no connection string named '{settings.DbConnectionName}'; set ConnectionStrings__{settings.DbConnectionName}.");
        }

        if (settings.ClusterDriver == "postgres" && !settings.ConnectionStrings.ContainsKey(settings.ClusterConnectionName))
        {
            problems.Add($"CLUSTER_DB_CONNECTION: no connection string named '{settings.ClusterConnectionName}'; set ConnectionStrings__{settings.ClusterConnectionName}.");
        }

        settings.SiloRegion ??= o.DefaultRegion;
        foreach (var (name, value) in new[] { ("SILO_REGION", settings.SiloRegion), ("SILO_ZONE", settings.SiloZone) })
        {
            if (value is not null && !ZinTrust.Workers.Abstractions.WorkerValidation.IsValidRegion(value))
            {
                problems.Add($"{name}: '{Shorten(value)}' must be 2..32 lower-case letters, digits and '-' (for example us-east-1).");
            }
        }

        foreach (var (name, value) in new[] { ("CLUSTER_ID", settings.ClusterId), ("SERVICE_ID", settings.ServiceId) })
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(value, "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant))
            {
                problems.Add($"{name}: '{Shorten(value)}' must be 1..64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }
        }

        if (settings.ClusterDriver == "localhost" && !System.Net.IPAddress.IsLoopback(settings.AdvertisedAddress))
        {
            problems.Add("SILO_ADVERTISED_IP: a non-loopback address needs a shared clustering store (CLUSTER_DRIVER=postgres); localhost clustering is one machine only.");
        }

        if (settings.RedisDatabase > 15)
        {
            problems.Add($"REDIS_QUEUE_DB: {settings.RedisDatabase} is not a Redis database (0-15).");
        }

        foreach (var (name, port) in new[] { ("PORT", settings.HttpPort), ("SILO_PORT", settings.SiloPort), ("GATEWAY_PORT", settings.GatewayPort), ("REDIS_PORT", settings.RedisPort), ("WORKER_PROMETHEUS_PORT", settings.PrometheusPort ?? 1) })
        {
            if (port is < 1 or > 65535)
            {
                problems.Add($"{name}: {port} is not a TCP port (1-65535).");
            }
        }

        if (settings.PrometheusPort is { } metricsPort && (metricsPort == settings.HttpPort || metricsPort == settings.SiloPort || metricsPort == settings.GatewayPort))
        {
            problems.Add($"WORKER_PROMETHEUS_PORT: {metricsPort} is already the API's, the silo's or the gateway's port.");
        }

        foreach (var validation in new[]
        {
            new WorkersOptionsValidator().Validate(null, o),
            new ResourceMonitorOptionsValidator().Validate(null, settings.Resources),
            new CostOptionsValidator().Validate(null, settings.Costs),
            new ProcessorSpecOptionsValidator().Validate(null, settings.ProcessorSpecs),
            new AuditLogOptionsValidator().Validate(null, settings.Audit),
            new AlertOptionsValidator().Validate(null, settings.Alerts),
        })
        {
            if (validation.Failed)
            {
                problems.AddRange(validation.Failures);
            }
        }

        errors = problems;
        return settings;
    }

    public static LogLevel? ParseLogLevel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "trace" or "verbose" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" or "critical" => LogLevel.Critical,
        "none" or "off" => LogLevel.None,
        _ => null,
    };

    private static void Bind(IConfiguration configuration, string section, object options, List<string> problems)
    {
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"{section} (appsettings): {ex.InnerException?.Message ?? ex.Message}");
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private sealed class Reader(IConfiguration configuration, List<string> problems)
    {
        public void String(string name, Action<string> apply)
        {
            var raw = configuration[name];
            if (raw is null)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(raw))
            {
                problems.Add($"{name}: is set but empty.");
                return;
            }

            apply(raw);
        }

        public void Bool(string name, Action<bool> apply) => String(name, raw =>
        {
            var word = raw.Trim().ToLowerInvariant();
            if (TrueWords.Contains(word))
            {
                apply(true);
            }
            else if (FalseWords.Contains(word))
            {
                apply(false);
            }
            else
            {
                problems.Add($"{name}: '{Shorten(raw)}' is not a boolean (true/false).");
            }
        });

        /// <summary>One of a fixed set of words (case-insensitive).</summary>
        public void Choice(string name, string what, string[] allowed, Action<string> apply) => String(name, raw =>
        {
            var word = raw.Trim().ToLowerInvariant();
            if (allowed.Contains(word))
            {
                apply(word);
            }
            else
            {
                problems.Add($"{name}: '{Shorten(raw)}' is not {what} ({string.Join(", ", allowed)}).");
            }
        });

        /// <summary>A finite decimal number with a dot (ranges are the validators' business).</summary>
        public void Number(string name, Action<double> apply) => String(name, raw =>
        {
            if (double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                apply(value);
            }
            else
            {
                problems.Add($"{name}: '{Shorten(raw)}' is not a number (digits with an optional '.', such as 0.045).");
            }
        });

        public void Int(string name, Action<int> apply, string? unit = null) => String(name, raw =>
        {
            if (int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                apply(value);
            }
            else
            {
                problems.Add($"{name}: '{Shorten(raw)}' is not a non-negative whole number{(unit is null ? "" : $" of {unit}")}.");
            }
        });
    }
}

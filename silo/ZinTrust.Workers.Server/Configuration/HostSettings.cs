using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>Everything the host reads at start-up, already parsed and validated.</summary>
public sealed class HostSettings
{
    public WorkersOptions Workers { get; } = new();

    /// <summary>The resource monitor (WORKER_RESOURCE_MONITORING, WORKER_RESOURCE_MONITORING_INTERVAL; appsettings Workers:Resources).</summary>
    public ResourceMonitorOptions Resources { get; } = new();

    /// <summary>Unit prices for cost estimates (WORKER_COST_*, WORKER_SPOT_*; appsettings Workers:Costs).</summary>
    public CostOptions Costs { get; } = new();

    /// <summary>Alerts (WORKER_ALERTS, WORKER_ALERT_*; appsettings Workers:Alerts).</summary>
    public AlertOptions Alerts { get; } = new();

    /// <summary>Processor specs (WORKER_PROCESSOR_ROOT, REMOTE_PROCESSOR_ALLOWLIST, PROCESSOR_FETCH_*, PROCESSOR_CACHE_*; appsettings Workers:ProcessorSpecs).</summary>
    public ProcessorSpecOptions ProcessorSpecs { get; } = new();
    /// <summary>The audit log (WORKER_AUDIT_LOG, WORKER_AUDIT_RETENTION_DAYS; appsettings Workers:Audit).</summary>
    public AuditLogOptions Audit { get; } = new();

    /// <summary>LOG_LEVEL: trace | debug | info | warn | error | fatal | none. Default: info.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>LOG_FORMAT: text | json. Default: text.</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>WORKER_API_HOST: the address the REST facade binds. Default: 127.0.0.1.</summary>
    public string HttpHost { get; set; } = "127.0.0.1";

    /// <summary>PORT: the REST facade's port. Default: 7777.</summary>
    public int HttpPort { get; set; } = 7777;

    /// <summary>SILO_PORT: silo-to-silo port. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>GATEWAY_PORT: client gateway port. Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>WORKER_DEMO: register the demo processor and the demo worker. Default: true.</summary>
    public bool DemoWorker { get; set; } = true;

    /// <summary>WORKER_PROMETHEUS_ENABLED: serve metrics (ZinTrust.Workers and Orleans meters) at /metrics. Default: false (the seed's).</summary>
    public bool PrometheusEnabled { get; set; }

    /// <summary>
    /// WORKER_PROMETHEUS_PORT: also serve /metrics on this port (on WORKER_API_HOST), without an API key, and nothing else
    /// there, for a Prometheus server to scrape; setting it turns Prometheus on. Default: unset (only the API's /metrics, which
    /// takes a viewer key). The original's 9090 is the usual choice.
    /// </summary>
    public int? PrometheusPort { get; set; }

    /// <summary>WORKER_OPENTELEMETRY_ENABLED: export traces and metrics over OTLP. Default: false (the original's).</summary>
    public bool OpenTelemetryEnabled { get; set; }

    /// <summary>WORKER_OPENTELEMETRY_ENDPOINT: the OTLP receiver's base address (a collector). Default: http://localhost:4318
    /// (the original's; the HTTP port, so http/protobuf).</summary>
    public Uri OpenTelemetryEndpoint { get; set; } = new("http://localhost:4318");

    /// <summary>WORKER_OPENTELEMETRY_PROTOCOL (else OTEL_EXPORTER_OTLP_PROTOCOL): http/protobuf or grpc. Default: http/protobuf.</summary>
    public string OpenTelemetryProtocol { get; set; } = "http/protobuf";

    /// <summary>WORKER_OPENTELEMETRY_SAMPLE_RATIO: the share of new traces recorded, 0..1 (a job's attempts follow their
    /// producer's decision). Default: 1.</summary>
    public double OpenTelemetrySampleRatio { get; set; } = 1;

    /// <summary>QUEUE_DRIVER: where jobs live, memory | redis. Default: memory (the embedded default needs nothing installed).</summary>
    public string QueueDriver { get; set; } = "memory";

    /// <summary>REDIS_HOST. Default: 127.0.0.1.</summary>
    public string RedisHost { get; set; } = "127.0.0.1";

    /// <summary>REDIS_PORT. Default: 6379.</summary>
    public int RedisPort { get; set; } = 6379;

    /// <summary>REDIS_PASSWORD. Default: none. Never logged.</summary>
    public string? RedisPassword { get; set; }

    /// <summary>REDIS_QUEUE_DB: the logical database for jobs, state and reminders. Default: 0.</summary>
    public int RedisDatabase { get; set; }

    /// <summary>APP_NAME. Default: ZinTrust.</summary>
    public string AppName { get; set; } = "ZinTrust";

    /// <summary>WORKER_PERSISTENCE_REDIS_KEY_PREFIX: prefix of grain-state keys. Default: APP_NAME with spaces replaced by '_'.</summary>
    public string? PersistenceRedisKeyPrefix { get; set; }

    /// <summary>QUEUE_REDIS_KEY_PREFIX: prefix of job keys. Default: zt.</summary>
    public string QueueRedisKeyPrefix { get; set; } = "zt";

    /// <summary>WORKER_PERSISTENCE_DB_CONNECTION: the connection string name (ConnectionStrings:NAME) for the db driver. Default: default.</summary>
    public string DbConnectionName { get; set; } = "default";

    /// <summary>WORKER_PERSISTENCE_TABLE: the table of worker state for the db driver. Default: zintrust_workers.</summary>
    public string DbTable { get; set; } = "zintrust_workers";

    /// <summary>CLUSTER_DRIVER: localhost (one machine, the embedded default) | postgres (membership in PostgreSQL). Default: localhost.</summary>
    public string ClusterDriver { get; set; } = "localhost";

    /// <summary>CLUSTER_ID: silos with the same cluster id (and clustering store) form one cluster. Default: zintrust-dev.</summary>
    public string ClusterId { get; set; } = "zintrust-dev";

    /// <summary>SERVICE_ID: names the service across deployments; grain state and reminders are keyed by it, so keep it when
    /// you replace a cluster. Default: zintrust-workers.</summary>
    public string ServiceId { get; set; } = "zintrust-workers";

    /// <summary>SILO_ADVERTISED_IP: the address other silos and clients reach this silo at: an IP address or a host name
    /// (resolved at start, IPv4 first). Default: 127.0.0.1 (one machine). Set it to run silos on several machines.</summary>
    public System.Net.IPAddress AdvertisedAddress { get; set; } = System.Net.IPAddress.Loopback;

    /// <summary>SILO_LISTEN_ANY: listen on every interface (0.0.0.0) rather than on the advertised address only (behind NAT or
    /// in a container, where the advertised address is not local). Default: false.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>SILO_REGION: this silo's region (2..32 lower-case letters, digits and '-'); placed workers run only on silos of
    /// their region. Default: WORKER_REGION.</summary>
    public string? SiloRegion { get; set; }

    /// <summary>SILO_ZONE: the silo's zone within its region (same form), shown in /health and the topology. Default: none.</summary>
    public string? SiloZone { get; set; }

    /// <summary>CLUSTER_DB_CONNECTION: the connection string name for postgres clustering. Default: default.</summary>
    public string ClusterConnectionName { get; set; } = "default";

    /// <summary>Connection strings by name (ConnectionStrings section; env ConnectionStrings__NAME). Never logged.</summary>
    public Dictionary<string, string> ConnectionStrings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>WORKER_API_KEYS and WORKER_API_KEYS_FILE: the API keys (hashes only) with their roles.</summary>
    public List<ApiKeyEntry> ApiKeys { get; } = [];

    /// <summary>WORKER_API_RATE_LIMIT: write requests per second per API key (0: no limit). Default: 200.</summary>
    public int ApiRateLimit { get; set; } = 200;

    /// <summary>WORKER_API_RATE_BURST: write requests a key may send at once before the per-second rate applies. Default: 400.</summary>
    public int ApiRateBurst { get; set; } = 400;

    /// <summary>WORKER_API_DOCS_PUBLIC: serve /openapi/v1.json and /docs without a key. Default: true in Development only.</summary>
    public bool? ApiDocsPublic { get; set; }

    /// <summary>WORKER_CONSOLE_ENABLED: serve the web console under /ui. Default: true.</summary>
    public bool ConsoleEnabled { get; set; } = true;

    /// <summary>WORKER_CONSOLE_SECURE_COOKIE: mark the console's session cookie Secure (browsers then send it over https, and to
    /// localhost). Default: true outside Development; turn it off only for plain http on a trusted network.</summary>
    public bool? ConsoleSecureCookie { get; set; }

    /// <summary>WORKER_CONSOLE_SESSION_MINUTES: how long a console session lasts without use. Default: 480 (8 h).</summary>
    public int ConsoleSessionMinutes { get; set; } = 480;

    /// <summary>WORKER_DASHBOARD_ENABLED: run the Orleans dashboard on this silo and serve it under /dashboard (viewer role). Default: true.</summary>
    public bool DashboardEnabled { get; set; } = true;

    /// <summary>SILO_TLS_*: TLS between silos and from clients to the gateway; null: plain TCP (Development, or a network
    /// that is trusted on its own).</summary>
    public ClusterTls? Tls { get; set; }

    /// <summary>WORKER_API_CERTIFICATE: the REST API serves HTTPS with it on PORT; null: plain HTTP (behind a proxy that
    /// terminates TLS, or on loopback).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ApiCertificate { get; set; }

    /// <summary>Encryption at rest, the audit log, retention and the GDPR, HIPAA and SOC2 flags.</summary>
    public ComplianceSettings Compliance { get; set; } = new();

    /// <summary>Whether anything runs on Redis (then reminders do too).</summary>
    public bool UsesRedis => QueueDriver == "redis" || Workers.PersistenceDriver == "redis";

    public string StateKeyPrefix => PersistenceRedisKeyPrefix ?? AppName.Replace(' ', '_');

    /// <summary>The StackExchange.Redis configuration (the password is included; never log it).</summary>
    public string RedisConfiguration =>
        $"{RedisHost}:{RedisPort},defaultDatabase={RedisDatabase},abortConnect=false{(string.IsNullOrEmpty(RedisPassword) ? "" : ",password=" + RedisPassword)}";
}

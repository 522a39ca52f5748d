using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Silo.Tests;

public sealed class HostSettingsLoaderTests
{
    private static HostSettings Load(out IReadOnlyList<string> errors, params (string Key, string Value)[] values) =>
        HostSettingsLoader.Load(
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(),
            out errors);

    [Fact]
    public void Defaults_AreTheSeeds()
    {
        var s = Load(out var errors);

        Assert.Empty(errors);
        Assert.True(s.Workers.Enabled);
        Assert.True(s.Workers.WorkerEnabledByDefault);
        Assert.Equal(5, s.Workers.DefaultConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(60), s.Workers.DefaultTimeout);
        Assert.Equal(3, s.Workers.DefaultAttempts);
        Assert.False(s.Workers.AutoStart);
        Assert.Equal(1, s.Workers.DefaultPriority);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), s.Workers.ConnectionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), s.Workers.HealthCheckInterval);
        Assert.Equal("memory", s.Workers.PersistenceDriver);
        Assert.Equal(LogLevel.Information, s.LogLevel);
        Assert.Equal("text", s.LogFormat);
        Assert.Equal(7777, s.HttpPort);
        Assert.Equal("127.0.0.1", s.HttpHost);
        Assert.True(s.Resources.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Resources.Interval);
        Assert.False(s.Costs.Configured);
        Assert.False(s.Costs.SpotInstances);
        Assert.Equal(0.7, s.Costs.SpotDiscount);
        Assert.Equal("USD", s.Costs.Currency);
    }

    [Fact]
    public void ResourceAndCostVariables_AreRead_AndOverrideAppSettings()
    {
        var s = Load(
            out var errors,
            ("Workers:Resources:Interval", "00:02:00"),
            ("Workers:Costs:Currency", "GBP"),
            ("WORKER_RESOURCE_MONITORING", "false"),
            ("WORKER_RESOURCE_MONITORING_INTERVAL", "45"),
            ("WORKER_COST_PER_CORE_HOUR", "0.0425"),
            ("WORKER_COST_PER_GB_HOUR", "0.005"),
            ("WORKER_COST_STORAGE_PER_GB_MONTH", "0.1"),
            ("WORKER_COST_CURRENCY", "eur"),
            ("WORKER_SPOT_INSTANCES", "true"),
            ("WORKER_SPOT_DISCOUNT", "0.6"));

        Assert.Empty(errors);
        Assert.False(s.Resources.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(45), s.Resources.Interval);
        Assert.Equal(0.0425, s.Costs.CostPerCoreHour);
        Assert.Equal(0.005, s.Costs.CostPerGbHour);
        Assert.Equal(0.1, s.Costs.StoragePerGbMonth);
        Assert.Equal("EUR", s.Costs.Currency);
        Assert.True(s.Costs.SpotInstances);
        Assert.Equal(0.6, s.Costs.SpotDiscount);
        Assert.Equal(TimeSpan.FromMinutes(2), Load(out _, ("Workers:Resources:Interval", "00:02:00")).Resources.Interval);
    }

    [Fact]
    public void EnvironmentVariables_OverrideAppSettings()
    {
        var s = Load(
            out var errors,
            ("Workers:DefaultConcurrency", "9"),
            ("WORKER_CONCURRENCY", "12"),
            ("WORKER_TIMEOUT", "90"),
            ("WORKER_RETRIES", "7"),
            ("WORKER_AUTO_START", "TRUE"),
            ("WORKERS_ENABLED", "off"),
            ("WORKER_ENABLED", "0"),
            ("WORKER_PRIORITY", "5"),
            ("WORKER_CONNECTION_TIMEOUT", "2500"),
            ("WORKER_HEALTH_CHECK_INTERVAL", "15"),
            ("LOG_LEVEL", "warn"),
            ("LOG_FORMAT", "json"));

        Assert.Empty(errors);
        Assert.Equal(12, s.Workers.DefaultConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(90), s.Workers.DefaultTimeout);
        Assert.Equal(7, s.Workers.DefaultAttempts);
        Assert.True(s.Workers.AutoStart);
        Assert.False(s.Workers.Enabled);
        Assert.False(s.Workers.WorkerEnabledByDefault);
        Assert.Equal(5, s.Workers.DefaultPriority);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), s.Workers.ConnectionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), s.Workers.HealthCheckInterval);
        Assert.Equal(LogLevel.Warning, s.LogLevel);
        Assert.Equal("json", s.LogFormat);
    }

    [Fact]
    public void TelemetryVariables_AreRead_WithTheOriginalsDefaults()
    {
        var defaults = Load(out var none);
        Assert.Empty(none);
        Assert.False(defaults.OpenTelemetryEnabled);
        Assert.Equal(new Uri("http://localhost:4318"), defaults.OpenTelemetryEndpoint);
        Assert.Equal("http/protobuf", defaults.OpenTelemetryProtocol);
        Assert.Equal(1, defaults.OpenTelemetrySampleRatio);
        Assert.False(defaults.PrometheusEnabled);
        Assert.Null(defaults.PrometheusPort);

        var s = Load(
            out var errors,
            ("WORKER_OPENTELEMETRY_ENABLED", "true"),
            ("WORKER_OPENTELEMETRY_ENDPOINT", "https://collector.internal:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("WORKER_OPENTELEMETRY_SAMPLE_RATIO", "0.25"),
            ("WORKER_PROMETHEUS_PORT", "9090"));
        Assert.Empty(errors);
        Assert.True(s.OpenTelemetryEnabled);
        Assert.Equal(new Uri("https://collector.internal:4317"), s.OpenTelemetryEndpoint);
        Assert.Equal("grpc", s.OpenTelemetryProtocol);
        Assert.Equal(0.25, s.OpenTelemetrySampleRatio);
        Assert.Equal(9090, s.PrometheusPort);
        Assert.True(s.PrometheusEnabled);

        // Ours wins over the standard variable.
        Assert.Equal("http/protobuf", Load(out _, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("WORKER_OPENTELEMETRY_PROTOCOL", "http/protobuf")).OpenTelemetryProtocol);
    }

    [Theory]
    [InlineData("http/protobuf", "http://collector:4318", "http://collector:4318/v1/traces")]
    [InlineData("http/protobuf", "http://collector:4318/otlp/", "http://collector:4318/otlp/v1/traces")]
    [InlineData("grpc", "http://collector:4317", "http://collector:4317/")]
    public void OtlpTarget_AddsTheSignalsPath_ForHttpOnly(string protocol, string endpoint, string expected)
    {
        var options = new OpenTelemetry.Exporter.OtlpExporterOptions();
        TelemetryHostExtensions.Target(options, new HostSettings { OpenTelemetryProtocol = protocol, OpenTelemetryEndpoint = new Uri(endpoint) }, "v1/traces");

        Assert.Equal(new Uri(expected), options.Endpoint);
        Assert.Equal(protocol == "grpc" ? OpenTelemetry.Exporter.OtlpExportProtocol.Grpc : OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf, options.Protocol);
    }

    [Fact]
    public void AppSettingsSection_AppliesWhenNoVariableIsSet()
    {
        var s = Load(out var errors, ("Workers:DefaultConcurrency", "9"), ("Workers:AutoStart", "true"));

        Assert.Empty(errors);
        Assert.Equal(9, s.Workers.DefaultConcurrency);
        Assert.True(s.Workers.AutoStart);
    }

    [Theory]
    [InlineData("WORKER_CONCURRENCY", "lots")]
    [InlineData("WORKER_CONCURRENCY", "0")]
    [InlineData("WORKER_CONCURRENCY", "100000")]
    [InlineData("WORKER_TIMEOUT", "-5")]
    [InlineData("WORKER_TIMEOUT", "0")]
    [InlineData("WORKER_RETRIES", "0")]
    [InlineData("WORKER_AUTO_START", "maybe")]
    [InlineData("WORKERS_ENABLED", "2")]
    [InlineData("WORKER_ENABLED", "yesplease")]
    [InlineData("WORKER_PRIORITY", "101")]
    [InlineData("WORKER_CONNECTION_TIMEOUT", "10")]
    [InlineData("WORKER_HEALTH_CHECK_INTERVAL", "0")]
    [InlineData("WORKER_PERSISTENCE_DRIVER", "mongodb")]
    [InlineData("WORKER_PERSISTENCE_TABLE", "Bad Name")]
    [InlineData("CLUSTER_DRIVER", "zookeeper")]
    [InlineData("QUEUE_DRIVER", "kafka")]
    [InlineData("REDIS_PORT", "x")]
    [InlineData("LOG_LEVEL", "loud")]
    [InlineData("LOG_FORMAT", "xml")]
    [InlineData("PORT", "70000")]
    [InlineData("WORKER_TIMEOUT", "")]
    [InlineData("WORKER_RESOURCE_MONITORING", "sometimes")]
    [InlineData("WORKER_RESOURCE_MONITORING_INTERVAL", "0")]
    [InlineData("WORKER_RESOURCE_MONITORING_INTERVAL", "7200")]
    [InlineData("WORKER_COST_PER_CORE_HOUR", "cheap")]
    [InlineData("WORKER_COST_PER_CORE_HOUR", "0,04")]
    [InlineData("WORKER_COST_PER_GB_HOUR", "-0.01")]
    [InlineData("WORKER_COST_STORAGE_PER_GB_MONTH", "NaN")]
    [InlineData("WORKER_COST_CURRENCY", "dollars")]
    [InlineData("WORKER_SPOT_INSTANCES", "2")]
    [InlineData("WORKER_SPOT_DISCOUNT", "1.5")]
    [InlineData("WORKER_OPENTELEMETRY_ENABLED", "perhaps")]
    [InlineData("WORKER_OPENTELEMETRY_ENDPOINT", "localhost:4318")]
    [InlineData("WORKER_OPENTELEMETRY_ENDPOINT", "ftp://collector:4318")]
    [InlineData("WORKER_OPENTELEMETRY_PROTOCOL", "http/json")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift")]
    [InlineData("WORKER_OPENTELEMETRY_SAMPLE_RATIO", "1.5")]
    [InlineData("WORKER_PROMETHEUS_PORT", "0")]
    [InlineData("WORKER_PROMETHEUS_PORT", "7777")]
    [InlineData("WORKER_PROMETHEUS_PORT", "nine")]
    [InlineData("WORKER_CONSOLE_SESSION_MINUTES", "0")]
    [InlineData("WORKER_CONSOLE_SESSION_MINUTES", "50000")]
    [InlineData("WORKER_CONSOLE_ENABLED", "sometimes")]
    [InlineData("WORKER_CONSOLE_SECURE_COOKIE", "maybe")]
    [InlineData("WORKER_DASHBOARD_ENABLED", "2")]
    public void InvalidValue_IsReported_NamingTheVariable(string variable, string value)
    {
        Load(out var errors, (variable, value));

        var error = Assert.Single(errors);
        Assert.StartsWith(variable, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WORKER_PERSISTENCE_DRIVER", "db", "WORKER_PERSISTENCE_DB_CONNECTION")]
    [InlineData("CLUSTER_DRIVER", "postgres", "CLUSTER_DB_CONNECTION")]
    public void PostgresDrivers_NeedTheirNamedConnectionString(string variable, string value, string named)
    {
        var error = Assert.Single(Load(out var errors, (variable, value)) is var _ ? errors : []);
        Assert.StartsWith(named, error, StringComparison.Ordinal);

        Load(out var fine, (variable, value), ("ConnectionStrings:default", "Host=127.0.0.1"));
        Assert.Empty(fine);
    }

    [Fact]
    public void EveryProblem_IsReported_NotJustTheFirst()
    {
        Load(out var errors, ("WORKER_CONCURRENCY", "x"), ("LOG_FORMAT", "xml"), ("WORKER_AUTO_START", "2"));

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void BadAppSettingsValue_IsReported_NamingTheSection()
    {
        Load(out var errors, ("Workers:DefaultConcurrency", "many"));

        Assert.Contains(errors, e => e.StartsWith("Workers", StringComparison.Ordinal));
    }

    [Fact]
    public void ClusterAcrossMachines_VariablesAreRead_AndTheSiloRegionDefaultsToWorkerRegion()
    {
        var defaults = Load(out var none, ("WORKER_REGION", "ap-south-1"));
        var s = Load(
            out var errors,
            ("CLUSTER_DRIVER", "postgres"),
            ("ConnectionStrings:default", "Host=db;Database=zt"),
            ("CLUSTER_ID", "prod-eu"),
            ("SERVICE_ID", "billing.jobs"),
            ("SILO_ADVERTISED_IP", "10.0.4.17"),
            ("SILO_LISTEN_ANY", "true"),
            ("SILO_REGION", "eu-west"),
            ("SILO_ZONE", "eu-west-1b"));

        Assert.Empty(none);
        Assert.Equal(("ap-south-1", null, "zintrust-dev", "zintrust-workers"), (defaults.SiloRegion, defaults.SiloZone, defaults.ClusterId, defaults.ServiceId));
        Assert.Equal(System.Net.IPAddress.Loopback, defaults.AdvertisedAddress);
        Assert.Empty(errors);
        Assert.Equal(("prod-eu", "billing.jobs", "eu-west", "eu-west-1b", true), (s.ClusterId, s.ServiceId, s.SiloRegion, s.SiloZone, s.ListenOnAnyAddress));
        Assert.Equal(System.Net.IPAddress.Parse("10.0.4.17"), s.AdvertisedAddress);
        Assert.True(System.Net.IPAddress.IsLoopback(Load(out _, ("SILO_ADVERTISED_IP", "localhost")).AdvertisedAddress));
    }

    [Theory]
    [InlineData("SILO_REGION", "EU West", "SILO_REGION")]
    [InlineData("SILO_ZONE", "zone_1", "SILO_ZONE")]
    [InlineData("CLUSTER_ID", "prod cluster", "CLUSTER_ID")]
    [InlineData("SERVICE_ID", "-svc", "SERVICE_ID")]
    [InlineData("SILO_ADVERTISED_IP", "no-such-host.invalid", "SILO_ADVERTISED_IP")]
    [InlineData("SILO_ADVERTISED_IP", "10.0.4.17", "SILO_ADVERTISED_IP")]   // a real address with localhost clustering
    public void ClusterAcrossMachines_BadValues_AreReportedByName(string key, string value, string named)
    {
        Load(out var errors, (key, value));

        Assert.Contains(errors, e => e.StartsWith(named + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void ProcessorSpecSettings_AreOffByDefault_AndReadFromTheirVariables()
    {
        var defaults = Load(out var none).ProcessorSpecs;
        var root = Path.GetTempPath();
        var s = Load(
            out var errors,
            ("WORKER_PROCESSOR_ROOT", root),
            ("REMOTE_PROCESSOR_ALLOWLIST", "processors.example.com, cdn.example.org"),
            ("PROCESSOR_FETCH_MAX_SIZE", "1048576"),
            ("PROCESSOR_FETCH_TIMEOUT", "5000"),
            ("PROCESSOR_FETCH_RETRY_ATTEMPTS", "1"),
            ("PROCESSOR_FETCH_RETRY_BACKOFF_MS", "250"),
            ("PROCESSOR_CACHE_DEFAULT_TTL", "60"),
            ("PROCESSOR_CACHE_MAX_TTL", "120"),
            ("PROCESSOR_CACHE_MAX_SIZE", "1000000")).ProcessorSpecs;

        Assert.Empty(none);
        Assert.Null(defaults.Root);
        Assert.Empty(defaults.AllowedHosts);
        Assert.Equal(4 * 1024 * 1024, defaults.FetchMaxSize);
        Assert.Empty(errors);
        Assert.Equal(root, s.Root);
        Assert.Equal(["processors.example.com", "cdn.example.org"], s.AllowedHosts);
        Assert.Equal(1048576, s.FetchMaxSize);
        Assert.Equal(TimeSpan.FromSeconds(5), s.FetchTimeout);
        Assert.Equal(1, s.FetchRetryAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.FetchRetryBackoff);
        Assert.Equal(TimeSpan.FromSeconds(60), s.CacheDefaultTtl);
        Assert.Equal(TimeSpan.FromSeconds(120), s.CacheMaxTtl);
        Assert.Equal(1000000, s.CacheMaxSize);
    }

    [Fact]
    public void ProcessorSpecSettings_NameEachBadVariable_WhenTheyAreInvalid()
    {
        Load(
            out var errors,
            ("WORKER_PROCESSOR_ROOT", "relative/processors"),
            ("REMOTE_PROCESSOR_ALLOWLIST", "good.example.com,bad host"),
            ("PROCESSOR_FETCH_MAX_SIZE", "0"),
            ("PROCESSOR_CACHE_DEFAULT_TTL", "700000"));

        Assert.Contains(errors, e => e.StartsWith("WORKER_PROCESSOR_ROOT", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("REMOTE_PROCESSOR_ALLOWLIST", StringComparison.Ordinal) && e.Contains("bad host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("PROCESSOR_FETCH_MAX_SIZE", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("PROCESSOR_CACHE_DEFAULT_TTL", StringComparison.Ordinal));
    }
}

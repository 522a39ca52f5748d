using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Metrics and traces: the ZinTrust.Workers and Orleans meters to Prometheus (WORKER_PROMETHEUS_*) and over OTLP
/// (WORKER_OPENTELEMETRY_*), with the ZinTrust.Workers spans, Orleans' grain-call spans inside them and ASP.NET Core's
/// request spans. With both off nothing is registered: no listener, so no span is ever created.
/// </summary>
public static class TelemetryHostExtensions
{
    public const string ServiceName = "zintrust-workers";

    /// <summary>The operation name ASP.NET Core gives a request's activity (until it is renamed after its route).</summary>
    private const string AspNetCoreRequest = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    /// <summary>The meters and spans as the settings say (a host of one's own: the silo's <c>AddActivityPropagation()</c> is
    /// then the caller's to add).</summary>
    public static IServiceCollection AddZinTrustTelemetry(this IServiceCollection services, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.PrometheusEnabled && !settings.OpenTelemetryEnabled)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(
                ServiceName,
                serviceVersion: typeof(WorkersActivity).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: $"{Environment.MachineName}:{settings.SiloPort}"))
            .WithMetrics(m =>
            {
                // The runtime's own meter (GC, heap, thread pool, exceptions) beside ours and Orleans'.
                m.AddMeter(WorkersInstruments.MeterName, "Microsoft.Orleans", "System.Runtime");
                if (settings.PrometheusEnabled)
                {
                    m.AddPrometheusExporter();
                }

                if (settings.OpenTelemetryEnabled)
                {
                    m.AddOtlpExporter(o => Target(o, settings, "v1/metrics"));
                }
            });
        if (settings.OpenTelemetryEnabled)
        {
            telemetry.WithTracing(t => t
                .SetSampler(new InsideTracesSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.OpenTelemetrySampleRatio))))
                .AddSource(WorkersActivity.SourceName, "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsRoutine(http.Request.Path))
                .AddOtlpExporter(o => Target(o, settings, "v1/traces")));
        }

        return services;
    }

    /// <summary>Where OTLP goes: the endpoint as given for gRPC; for http/protobuf its signal's path under it (the exporter
    /// only adds that itself when the endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    internal static void Target(OtlpExporterOptions options, HostSettings settings, string signalPath)
    {
        if (settings.OpenTelemetryProtocol == "grpc")
        {
            options.Protocol = OtlpExportProtocol.Grpc;
            options.Endpoint = settings.OpenTelemetryEndpoint;
            return;
        }

        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        var root = settings.OpenTelemetryEndpoint.AbsoluteUri;
        options.Endpoint = new Uri((root.EndsWith('/') ? root : root + "/") + signalPath);
    }

    /// <summary>Probes, scrapes and the event stream: requests that would drown the traces worth reading.</summary>
    private static bool IsRoutine(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/api/events");

    /// <summary>
    /// Orleans' grain-call spans only inside a trace: a call with no span around it (a replica's lease, renewal and report
    /// loops, timers, membership) would otherwise start a trace of its own, thousands a second. Everything else (the
    /// ZinTrust.Workers spans, ASP.NET Core's requests) is up to <paramref name="inner"/>.
    /// </summary>
    internal sealed class InsideTracesSampler(Sampler inner) : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
        {
            bool orphanCall = samplingParameters.ParentContext.TraceId == default
                && samplingParameters.Kind is ActivityKind.Client or ActivityKind.Server
                && samplingParameters.Name != AspNetCoreRequest;
            return orphanCall ? new SamplingResult(SamplingDecision.Drop) : inner.ShouldSample(samplingParameters);
        }
    }
}

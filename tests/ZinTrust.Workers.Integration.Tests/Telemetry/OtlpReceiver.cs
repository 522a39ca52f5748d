using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// An OTLP receiver in the test process, as a collector would be: http/protobuf (<c>POST /v1/traces</c>, <c>/v1/metrics</c>)
/// on one port and gRPC (the collector services' <c>Export</c>, HTTP/2 without TLS) on another. It keeps every request's
/// protobuf body; <see cref="Spans"/> decodes the traces.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string GrpcTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string GrpcMetrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Signal, string Protocol, byte[] Body)> bodies = new();

    private OtlpReceiver(WebApplication app) => this.app = app;

    /// <summary>http://127.0.0.1:port of the http/protobuf listener.</summary>
    public required Uri HttpEndpoint { get; init; }

    /// <summary>http://127.0.0.1:port of the gRPC listener.</summary>
    public required Uri GrpcEndpoint { get; init; }

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        int httpPort = FreePort(), grpcPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app)
        {
            HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}"),
            GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}"),
        };
        app.MapPost("/v1/traces", http => receiver.HttpAsync(http, "traces"));
        app.MapPost("/v1/metrics", http => receiver.HttpAsync(http, "metrics"));
        app.MapPost(GrpcTraces, http => receiver.GrpcAsync(http, "traces"));
        app.MapPost(GrpcMetrics, http => receiver.GrpcAsync(http, "metrics"));
        await app.StartAsync(cancellationToken);
        return receiver;
    }

    /// <summary>A port free at the moment (the OS's pick for port 0).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every request body so far, with its signal (traces, metrics) and protocol (http, grpc).</summary>
    public IReadOnlyList<(string Signal, string Protocol, byte[] Body)> Bodies => bodies.ToArray();

    /// <summary>The spans received so far (both protocols).</summary>
    public IReadOnlyList<OtlpSpan> Spans => [.. bodies.Where(b => b.Signal == "traces").SelectMany(b => OtlpSpan.Parse(b.Body))];

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HttpAsync(HttpContext http, string signal)
    {
        bodies.Enqueue((signal, "http", await ReadAsync(http.Request)));
        http.Response.ContentType = "application/x-protobuf";
        http.Response.StatusCode = StatusCodes.Status200OK;   // an empty Export*ServiceResponse: everything accepted
    }

    private async Task GrpcAsync(HttpContext http, string signal)
    {
        // One length-prefixed message: a compression flag (0) and a big-endian length, then the request.
        var framed = await ReadAsync(http.Request);
        int length = BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(1, 4));
        bodies.Enqueue((signal, "grpc", framed.AsSpan(5, length).ToArray()));
        http.Response.ContentType = "application/grpc";
        http.Response.AppendTrailer("grpc-status", "0");
        await http.Response.Body.WriteAsync(new byte[5]);   // an empty response message
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

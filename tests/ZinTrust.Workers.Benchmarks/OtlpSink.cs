using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// Where the traced runs (<c>--tracing</c>) send OTLP (http/protobuf): a collector stand-in in this process that reads each
/// export and throws it away, counting requests and bytes, so the figures include exporting and show that spans left.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly WebApplication app;
    private long requests;
    private long bytes;

    private OtlpSink(WebApplication app, Uri endpoint)
    {
        this.app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public long Requests => Interlocked.Read(ref requests);

    public long Bytes => Interlocked.Read(ref bytes);

    public static async Task<OtlpSink> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var sink = new OtlpSink(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapPost("/v1/{signal}", sink.ReceiveAsync);
        await app.StartAsync(cancellationToken);
        return sink;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task ReceiveAsync(HttpContext http)
    {
        var buffer = new byte[16 * 1024];
        long read = 0;
        int n;
        while ((n = await http.Request.Body.ReadAsync(buffer)) > 0)
        {
            read += n;
        }

        Interlocked.Increment(ref requests);
        Interlocked.Add(ref bytes, read);
        http.Response.ContentType = "application/x-protobuf";
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// Traces and metrics over OTLP from real silo processes to a receiver in the test: one trace from a REST enqueue on one
/// silo to every attempt on another, nothing of the job's payload, key, headers or error message on the wire, gRPC as well
/// as http/protobuf, and the scrape port.
/// </summary>
public sealed class TracingTests
{
    private const string Queue = "q-traced";

    private static Dictionary<string, string> Telemetry(Uri endpoint, string protocol) => new()
    {
        ["WORKER_OPENTELEMETRY_ENABLED"] = "true",
        ["WORKER_OPENTELEMETRY_ENDPOINT"] = endpoint.ToString(),
        ["WORKER_OPENTELEMETRY_PROTOCOL"] = protocol,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",          // spans leave every 200 ms instead of 5 s
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    [Fact]
    public async Task ARestEnqueueOnOneSilo_AndEveryAttemptOnAnother_AreOneTrace_WithNothingOfTheJobInIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct, extra: Telemetry(receiver.HttpEndpoint, "http/protobuf"));
        await cluster.StartAsync(0, ct);
        await cluster.StartAsync(1, ct);
        var silos = new[] { await SiloOf(cluster, 0, ct), await SiloOf(cluster, 1, ct) };
        await cluster.PostJson(0, "/api/workers", new { name = "traced", queueName = Queue, processor = "demo", replicas = 1, concurrency = 1 }, ct);
        await cluster.PostJson(0, "/api/workers/traced/start", new { }, ct);
        var status = await cluster.GetJson(0, "/api/workers/traced/status", ct);
        string consumerSilo = status.GetProperty("replicas").EnumerateArray().Single().GetProperty("silo").GetString()!;
        int producer = Array.FindIndex(silos, s => s != consumerSilo);

        // A job that fails three times, with a canary in each thing that must stay out of telemetry.
        var canary = $"canary{Guid.NewGuid():N}";
        using var http = cluster.Http(producer);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/queues/{Queue}/jobs")
        {
            Content = JsonContent.Create(new
            {
                payload = new { fail = true, message = $"{canary}-message", steps = 1, note = $"{canary}-payload" },
                attempts = 3,
                backoff = new { type = "fixed", delayMs = 50 },
                headers = new Dictionary<string, string> { ["x-tenant"] = $"{canary}-header" },
            }),
        };
        request.Headers.Add("Idempotency-Key", $"{canary}-key");
        var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        string jobId = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        await Eventually.True(
            async () => (await cluster.GetJson(producer, $"/api/queues/{Queue}/jobs/{jobId}", ct)).GetProperty("state").GetString() == "failed",
            "the job was dead-lettered after three attempts",
            TimeSpan.FromSeconds(60));
        // Each silo exports on its own schedule: wait until both sides' spans are in.
        await Eventually.True(
            () => Attempts(receiver, jobId).Count == 3
                && receiver.Spans.Where(s => s.TraceId == Attempts(receiver, jobId)[0].TraceId).Count(s => s.Kind is ActivityKind.Producer or ActivityKind.Server or ActivityKind.Client) >= 4,
            "the producer's, the request's, the grain call's and three consumer spans arrived",
            TimeSpan.FromSeconds(30));

        var send = Assert.Single(receiver.Spans, s => s.Kind == ActivityKind.Producer && s["messaging.destination.name"] == Queue);
        var attempts = Attempts(receiver, jobId);
        var trace = receiver.Spans.Where(s => s.TraceId == send.TraceId).ToArray();

        // The producer span on the silo that took the request, inside ASP.NET Core's span for it, and the grain call it made.
        Assert.Equal($"send {Queue}", send.Name);
        Assert.Equal(silos[producer], send["zintrust.silo"]);
        Assert.Equal("zintrust", send["messaging.system"]);
        Assert.Equal("send", send["messaging.operation.type"]);
        var post = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.Scope == "Microsoft.AspNetCore");
        Assert.Equal(post.SpanId, send.ParentSpanId);
        // One request alone: the facade's coalesced call (EnqueueEach) carried only its job, so it is the request's own call.
        Assert.Contains(trace, s => s.Name.EndsWith("IQueueGrain/EnqueueEach", StringComparison.Ordinal) && s.Kind == ActivityKind.Client);

        // Each attempt its own consumer span, on the other silo, in the same trace, a child of and linked to the producer, with the version that ran it.
        Assert.Equal(["1", "2", "3"], attempts.Select(a => a["zintrust.job.attempt"]).Order(StringComparer.Ordinal));
        Assert.All(attempts, a =>
        {
            Assert.Equal(send.TraceId, a.TraceId);
            Assert.Equal(send.SpanId, a.ParentSpanId);
            Assert.Contains((send.TraceId, send.SpanId), a.Links);
            Assert.Equal("1.0.0", a["zintrust.worker.version"]);
            Assert.Equal($"process {Queue}", a.Name);
            Assert.Equal(consumerSilo, a["zintrust.silo"]);
            Assert.Equal("traced", a["messaging.consumer.group.name"]);
            Assert.Equal(OtlpSpan.Error, a.StatusCode);
            Assert.Equal("System.InvalidOperationException", a["error.type"]);
        });
        Assert.NotEqual(silos[producer], consumerSilo);
        Assert.All(receiver.Spans, s => Assert.Equal("zintrust-workers", s.Resource.GetValueOrDefault("service.name")));

        // The replicas' lease, renewal and report calls start no traces of their own.
        Assert.DoesNotContain(receiver.Spans, s => s.Name.EndsWith("IQueueGrain/Lease", StringComparison.Ordinal) || s.Name.EndsWith("IQueueGrain/Report", StringComparison.Ordinal));

        // Nothing of the payload, the key, the headers or the error's message anywhere on the wire (spans and metrics).
        var needle = Encoding.UTF8.GetBytes(canary);
        Assert.All(receiver.Bodies, b => Assert.True(b.Body.AsSpan().IndexOf(needle) < 0, $"a {b.Signal} export carried the canary"));
        Assert.Contains(receiver.Bodies, b => b.Signal == "metrics");
    }

    [Fact]
    public async Task OneSilo_ExportsOverGrpc_AndItsScrapePortServesMetricsOnly_WithoutAKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        int scrapePort = OtlpReceiver.FreePort();
        var settings = Telemetry(receiver.GrpcEndpoint, "grpc");
        settings["WORKER_PROMETHEUS_PORT"] = scrapePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct, extra: settings);
        await cluster.StartAsync(0, ct);
        await cluster.PostJson(0, "/api/workers", new { name = "echoes", queueName = Queue, processor = "echo", concurrency = 1 }, ct);
        await cluster.PostJson(0, "/api/workers/echoes/start", new { }, ct);
        var ack = await cluster.PostJson(0, $"/api/queues/{Queue}/jobs", new { payload = new { n = 1 } }, ct);
        string jobId = ack.GetProperty("id").GetString()!;

        await Eventually.True(() => Attempts(receiver, jobId).Count == 1, "the attempt's span arrived over gRPC", TimeSpan.FromSeconds(30));
        var attempt = Assert.Single(Attempts(receiver, jobId));
        Assert.Contains(receiver.Spans, s => s.Kind == ActivityKind.Producer && s.TraceId == attempt.TraceId && s.SpanId == attempt.ParentSpanId);
        await Eventually.True(
            () => receiver.Bodies.Any(b => b.Signal == "metrics" && b.Body.AsSpan().IndexOf("zintrust.job.queue_time"u8) >= 0),
            "the job metrics arrived over gRPC",
            TimeSpan.FromSeconds(30));
        Assert.All(receiver.Bodies, b => Assert.Equal("grpc", b.Protocol));

        // The scrape port: /metrics without a key, nothing else; the API's /metrics still takes one.
        using var scrape = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{scrapePort}") };
        await Eventually.True(
            async () =>
            {
                var metrics = await scrape.GetAsync("/metrics", ct);
                Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
                return (await metrics.Content.ReadAsStringAsync(ct)).Contains("zintrust_jobs_completed", StringComparison.Ordinal);
            },
            "the scrape port serves the job counters");
        Assert.Equal(HttpStatusCode.NotFound, (await scrape.GetAsync("/api/workers", ct)).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.HttpPort(0)}") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics", ct)).StatusCode);
    }

    private static List<OtlpSpan> Attempts(OtlpReceiver receiver, string jobId) =>
        [.. receiver.Spans.Where(s => s.Kind == ActivityKind.Consumer && s["messaging.message.id"] == jobId)];

    private static async Task<string> SiloOf(SiloProcesses cluster, int index, CancellationToken ct) =>
        (await cluster.GetJson(index, "/health", ct)).GetProperty("silo").GetString()!;
}

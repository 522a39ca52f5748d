using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>A host that evaluates alerts every second and raises at once on a queue with more than one waiting job.</summary>
public sealed class AlertingSiloFixture : IAsyncLifetime
{
    public SiloFactory Factory { get; } = new(new Dictionary<string, string>
    {
        ["WORKER_ALERT_INTERVAL"] = "1",
        ["WORKER_ALERT_RAISE_AFTER"] = "1",
        ["WORKER_ALERT_QUEUE_DEPTH"] = "1",
        ["WORKER_ALERT_QUEUE_DEPTH_CRITICAL"] = "100",
    });

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Client = Factory.Client();
        (await Client.Get("/health")).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>GET /api/resources/alerts and /api/resources/trends through the real HTTP pipeline.</summary>
public sealed class AlertRoutesTests(AlertingSiloFixture fixture) : IClassFixture<AlertingSiloFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Alerts_ShowARaisedQueueAlert_WithWhenAndWhy_InTheDocumentedShape()
    {
        await DeepQueue("alert-route-worker", "q-alert-route");

        var body = await Poll("/api/resources/alerts?state=active", b => Alert(b, "q-alert-route") is not null, "an active alert for the deep queue");

        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(1, body.GetProperty("intervalSeconds").GetDouble());
        Assert.Equal((1, 2), (body.GetProperty("raiseAfter").GetInt32(), body.GetProperty("resolveAfter").GetInt32()));
        Assert.Equal(10, body.GetProperty("hysteresisPercent").GetDouble());
        Assert.False(body.GetProperty("webhook").GetBoolean());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("problems").ValueKind);
        var resources = body.GetProperty("resourceAlerts");
        Assert.False(resources.GetProperty("enabled").GetBoolean());   // no worker asks for resource monitoring here
        Assert.Equal("no-worker-requests-it", resources.Str("reason"));
        Assert.Contains("Resource alerts disabled", resources.Str("detail"), StringComparison.Ordinal);
        var depth = body.GetProperty("rules").EnumerateArray().Single(r => r.Str("rule") == "queue.depth");
        Assert.Equal(("queue", "jobs", "above", 1.0, 100.0, true), (depth.Str("subject"), depth.Str("unit"), depth.Str("breach"), depth.GetProperty("warning").GetDouble(), depth.GetProperty("critical").GetDouble(), depth.GetProperty("enabled").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("rules").EnumerateArray().Single(r => r.Str("rule") == "cluster.cost").GetProperty("warning").ValueKind);

        var alert = Alert(body, "q-alert-route")!.Value;
        Assert.Equal(("queue.depth", "queue", "warning", "active", "jobs"), (alert.Str("rule"), alert.Str("subjectKind"), alert.Str("severity"), alert.Str("state"), alert.Str("unit")));
        Assert.Equal(3, alert.GetProperty("value").GetDouble());
        Assert.Equal(1, alert.GetProperty("threshold").GetDouble());
        Assert.Equal(0.9, alert.GetProperty("clearThreshold").GetDouble(), 6);
        Assert.Equal("Queue 'q-alert-route': 3 waiting jobs, above the warning threshold of 1.", alert.Str("message"));
        Assert.Equal(32, alert.Str("id").Length);
        Assert.True(alert.GetProperty("since").GetDateTimeOffset() <= alert.GetProperty("raisedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("resolvedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("resolution").ValueKind);
        Assert.True(body.GetProperty("active").GetInt32() >= 1);
        Assert.Equal(body.GetProperty("alerts").GetArrayLength(), body.GetProperty("count").GetInt32());

        var resolved = await (await Client.Get("/api/resources/alerts?state=resolved")).Json();
        Assert.All(resolved.GetProperty("alerts").EnumerateArray(), a => Assert.Equal("resolved", a.Str("state")));
        var one = await (await Client.Get("/api/resources/alerts?limit=1")).Json();
        Assert.True(one.GetProperty("count").GetInt32() <= 1);
    }

    [Fact]
    public async Task Trends_AnswerPerMetricAndSubject_WithTheMethodAndWindow()
    {
        await DeepQueue("trend-route-worker", "q-trend-route");

        var body = await Poll("/api/resources/trends?hours=2", b => Trend(b, "queue.depth", "q-trend-route") is not null, "a depth trend of the queue");

        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.Equal(2, body.GetProperty("hours").GetDouble());
        Assert.Equal("least-squares", body.Str("method"));
        Assert.Equal(TimeSpan.FromHours(2), body.GetProperty("to").GetDateTimeOffset() - body.GetProperty("from").GetDateTimeOffset());
        Assert.False(body.GetProperty("resourceMonitoring").GetProperty("running").GetBoolean());
        Assert.Equal(body.GetProperty("trends").GetArrayLength(), body.GetProperty("count").GetInt32());
        var depth = Trend(body, "queue.depth", "q-trend-route")!.Value;
        Assert.Equal(("queue", "jobs", "alert-evaluations"), (depth.Str("subjectKind"), depth.Str("unit"), depth.Str("source")));
        Assert.True(depth.GetProperty("points").GetInt32() >= 1);
        Assert.Equal((3, 3, 3), (depth.GetProperty("first").GetDouble(), depth.GetProperty("min").GetDouble(), depth.GetProperty("last").GetDouble()));
        Assert.Contains(depth.Str("direction"), new[] { "unknown", "steady" });
        Assert.NotNull(Trend(body, "queue.oldest-wait", "q-trend-route"));
    }

    [Theory]
    [InlineData("/api/resources/alerts?state=bogus")]
    [InlineData("/api/resources/alerts?limit=0")]
    [InlineData("/api/resources/alerts?limit=1001")]
    [InlineData("/api/resources/alerts?limit=ten")]
    [InlineData("/api/resources/trends?hours=0")]
    [InlineData("/api/resources/trends?hours=25")]
    [InlineData("/api/resources/trends?hours=1.5")]
    public async Task ABadQuery_IsA400WithItsCode(string path)
    {
        var response = await Client.Get(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_QUERY", (await response.Json()).Str("code"));
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresTheAlertRoutes_TheirParameters_AndResponseSchemas()
    {
        var paths = (await (await Client.Get("/openapi/v1.json")).Json()).GetProperty("paths");

        foreach (var (path, parameters) in new[] { ("/api/resources/alerts", new[] { "state", "limit" }), ("/api/resources/trends", new[] { "hours" }) })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Superset(parameters.ToHashSet(), get.GetProperty("parameters").EnumerateArray().Select(p => p.Str("name")).ToHashSet());
            Assert.True(get.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _), path);
            Assert.True(get.GetProperty("responses").TryGetProperty("400", out _), path);
        }
    }

    [Fact]
    public void AlertVariables_AreRead_AndABadOneIsReportedByName()
    {
        var settings = Load(
            out var errors,
            ("WORKER_ALERTS", "true"),
            ("WORKER_ALERT_INTERVAL", "15"),
            ("WORKER_ALERT_CPU_PERCENT", "70"),
            ("WORKER_ALERT_QUEUE_WAIT_CRITICAL_SECONDS", "900"),
            ("WORKER_ALERT_WEBHOOK_URL", "https://hooks.example.com/zintrust"),
            ("WORKER_ALERT_WEBHOOK_ALLOWLIST", "hooks.example.com, other.example.com"),
            ("WORKER_ALERT_WEBHOOK_RETRY_BACKOFF_MS", "250"),
            ("Workers:Alerts:Workers:mailer:FailureRate:Warning", "50"));

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.Alerts.Interval);
        Assert.Equal(70, settings.Alerts.Cpu.Warning);
        Assert.Equal(95, settings.Alerts.Cpu.Critical);
        Assert.Equal(900, settings.Alerts.QueueOldestWait.Critical);
        Assert.Equal(["hooks.example.com", "other.example.com"], settings.Alerts.WebhookAllowList);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Alerts.WebhookRetryBackoff);
        Assert.Equal(50, settings.Alerts.Workers["mailer"].FailureRate!.Warning);

        Load(out var bad, ("WORKER_ALERT_MEMORY_PERCENT", "lots"), ("WORKER_ALERT_WEBHOOK_URL", "https://evil.example.com/"));
        Assert.Contains(bad, e => e.StartsWith("WORKER_ALERT_MEMORY_PERCENT", StringComparison.Ordinal));
        Assert.Contains(bad, e => e.Contains("WORKER_ALERT_WEBHOOK_ALLOWLIST is empty", StringComparison.Ordinal));
    }

    private static HostSettings Load(out IReadOnlyList<string> errors, params (string Key, string Value)[] values) =>
        HostSettingsLoader.Load(
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(),
            out errors);

    /// <summary>Three waiting jobs, then a (stopped) worker on their queue: the evaluator reads the queues of registered workers,
    /// so its first reading of this queue already sees all three (created first, an evaluation in between would read 0).</summary>
    private async Task DeepQueue(string worker, string queue)
    {
        var enqueued = await Client.PostJson($"/api/queues/{queue}/jobs", """[{"payload":1},{"payload":2},{"payload":3}]""");
        Assert.True(enqueued.IsSuccessStatusCode, await enqueued.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var created = await Client.PostJson("/api/workers", new { name = worker, queueName = queue, processor = "echo" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static JsonElement? Alert(JsonElement body, string subject) =>
        body.GetProperty("alerts").EnumerateArray().Where(a => a.Str("subject") == subject).Select(a => (JsonElement?)a).FirstOrDefault();

    private static JsonElement? Trend(JsonElement body, string metric, string subject) =>
        body.GetProperty("trends").EnumerateArray().Where(t => t.Str("metric") == metric && t.Str("subject") == subject).Select(t => (JsonElement?)t).FirstOrDefault();

    private async Task<JsonElement> Poll(string path, Func<JsonElement, bool> done, string expectation) =>
        await Eventually.Get(async () => await (await Client.Get(path)).Json(), done, expectation);
}

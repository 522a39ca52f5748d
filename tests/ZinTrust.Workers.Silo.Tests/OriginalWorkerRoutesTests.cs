using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The original's worker routes: the worker-scoped dead-letter queue, the status in the original's shape, the monitoring
/// history by hours, and starting and stopping a worker's health monitoring.</summary>
[Collection(nameof(SiloCollection))]
public sealed class OriginalWorkerRoutesTests(SiloFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<JsonElement> Until(string url, Func<JsonElement, bool> done, string what) =>
        await Eventually.Get(async () => await (await Client.Get(url)).Json(), done, what, TimeSpan.FromSeconds(20));

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Json();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal(code, body.Str("code"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<string> DeadLetter(string queue)
    {
        var enqueued = await Client.PostJson($"/api/queues/{queue}/jobs", """{"payload":{"fail":true,"steps":1},"attempts":1}""");
        Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
        var id = (await enqueued.Json()).Str("id");
        await Until($"/api/queues/{queue}/jobs/{id}", j => j.Str("state") == "failed", $"job {id} of {queue} was not dead-lettered");
        return id;
    }

    [Fact]
    public async Task DeadLetterQueue_ListsAndRetries_TheDeadLettersOfEveryQueueOfTheWorker()
    {
        var created = await Client.PostJson("/api/workers", new
        {
            name = "dlq-multi",
            queues = new[] { new { name = "dlq-multi-a", weight = 1 }, new { name = "dlq-multi-b", weight = 1 } },
            processor = "demo",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/dlq-multi/start")).StatusCode);
        var a = await DeadLetter("dlq-multi-a");
        var b = await DeadLetter("dlq-multi-b");
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/dlq-multi/stop")).StatusCode);   // retried jobs then stay waiting

        using (var viewer = fixture.Factory.Client(ApiRole.Viewer))
        {
            var list = await (await viewer.Get("/api/workers/dlq-multi/dead-letter-queue/list")).Json();
            Assert.True(list.GetProperty("ok").GetBoolean());
            Assert.Equal(("dlq-multi", 2, 0, 50), (list.Str("worker"), list.GetProperty("total").GetInt32(), list.GetProperty("offset").GetInt32(), list.GetProperty("limit").GetInt32()));
            Assert.Equal(
                [("dlq-multi-a", 1), ("dlq-multi-b", 1)],
                list.GetProperty("queues").EnumerateArray().Select(q => (q.Str("queue"), q.GetProperty("deadLetters").GetInt32())));
            var jobs = list.GetProperty("jobs").EnumerateArray().ToArray();
            Assert.Equal([(a, "dlq-multi-a"), (b, "dlq-multi-b")], jobs.Select(j => (j.Str("id"), j.Str("queue"))));   // queue by queue, primary first
            Assert.All(jobs, j => Assert.Equal("failed", j.Str("state")));
            Assert.All(jobs, j => Assert.Contains("demo failure requested", j.Str("error"), StringComparison.Ordinal));

            var second = await (await viewer.Get("/api/workers/dlq-multi/dead-letter-queue/list?offset=1&limit=1")).Json();
            Assert.Equal([b], second.GetProperty("jobs").EnumerateArray().Select(j => j.Str("id")));
            var onlyB = await (await viewer.Get("/api/workers/dlq-multi/dead-letter-queue/list?queue=dlq-multi-b")).Json();
            Assert.Equal((1, b), (onlyB.GetProperty("total").GetInt32(), Assert.Single(onlyB.GetProperty("jobs").EnumerateArray()).Str("id")));

            await Expect(await viewer.Get("/api/workers/dlq-multi/dead-letter-queue/list?queue=other-queue"), HttpStatusCode.BadRequest, "INVALID_QUERY");
            await Expect(await viewer.Get("/api/workers/dlq-multi/dead-letter-queue/list?limit=0"), HttpStatusCode.BadRequest, "INVALID_QUERY");
            await Expect(await viewer.Get("/api/workers/dlq-nobody/dead-letter-queue/list"), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJson("/api/workers/dlq-multi/dead-letter-queue/retry", new { ids = new[] { a } })).StatusCode);
        }

        await Expect(await Client.PostJson("/api/workers/dlq-multi/dead-letter-queue/retry", """{"ids":["not an id"]}"""), HttpStatusCode.BadRequest, "INVALID_JOB_ID");
        await Expect(await Client.PostJson("/api/workers/dlq-multi/dead-letter-queue/retry", """{"queue":"other-queue"}"""), HttpStatusCode.BadRequest, "INVALID_BODY");
        await Expect(await Client.PostJson("/api/workers/dlq-multi/dead-letter-queue/retry", """{"all":true}"""), HttpStatusCode.BadRequest, "INVALID_BODY");
        await Expect(await Client.PostJson("/api/workers/dlq-nobody/dead-letter-queue/retry", "{}"), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");

        // By id: only that job moves, in whichever of the worker's queues holds it.
        var one = await (await Client.PostJson("/api/workers/dlq-multi/dead-letter-queue/retry", new { ids = new[] { b } })).Json();
        Assert.Equal(("dlq-multi", 1), (one.Str("worker"), one.GetProperty("retried").GetInt32()));
        Assert.Equal([("dlq-multi-a", 0), ("dlq-multi-b", 1)], one.GetProperty("queues").EnumerateArray().Select(q => (q.Str("queue"), q.GetProperty("retried").GetInt32())));
        Assert.Equal("waiting", (await (await Client.Get($"/api/queues/dlq-multi-b/jobs/{b}")).Json()).Str("state"));

        // No body: every dead letter of every queue of the worker.
        var rest = await Client.Post("/api/workers/dlq-multi/dead-letter-queue/retry");
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(1, (await rest.Json()).GetProperty("retried").GetInt32());
        Assert.Equal("waiting", (await (await Client.Get($"/api/queues/dlq-multi-a/jobs/{a}")).Json()).Str("state"));
        var empty = await (await Client.Get("/api/workers/dlq-multi/dead-letter-queue/list")).Json();
        Assert.Equal((0, 0), (empty.GetProperty("total").GetInt32(), empty.GetProperty("jobs").GetArrayLength()));
    }

    [Fact]
    public async Task Status_AnswersInTheOriginalsShape_WithFormatOriginal_AndKeepsItsOwnByDefault()
    {
        Assert.Equal(HttpStatusCode.Created, (await Client.PostJson("/api/workers", new { name = "status-original", queueName = "status-original-q", processor = "echo", concurrency = 3 })).StatusCode);
        await Client.Post("/api/workers/status-original/start");
        var id = (await (await Client.PostJson("/api/queues/status-original-q/jobs", """{"payload":{}}""")).Json()).Str("id");
        await Until($"/api/queues/status-original-q/jobs/{id}", j => j.Str("state") == "completed", "the job did not complete");

        var body = await Until("/api/workers/status-original/status?format=original", s => s.GetProperty("status").GetProperty("metrics").GetProperty("completed").GetInt64() >= 1, "no completion counted");
        Assert.True(body.GetProperty("ok").GetBoolean());
        var status = body.GetProperty("status");
        Assert.Equal(("status-original", "running", "1.0.0", "status-original-q", 3),
            (status.Str("name"), status.Str("state"), status.Str("version"), status.Str("queue"), status.GetProperty("concurrency").GetInt32()));
        var metrics = status.GetProperty("metrics");
        Assert.Equal(0, metrics.GetProperty("failed").GetInt64());
        Assert.Equal(1.0, metrics.GetProperty("successRate").GetDouble());   // 0..1, not a percentage
        Assert.True(metrics.GetProperty("avgDuration").GetDouble() >= 0);
        Assert.Contains(status.GetProperty("health").ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
        Assert.False(status.TryGetProperty("replicas", out _));

        foreach (var url in new[] { "/api/workers/status-original/status", "/api/workers/status-original/status?format=default" })
        {
            var own = await (await Client.Get(url)).Json();
            Assert.Equal(("status-original", 100.0), (own.Str("name"), own.GetProperty("successRate").GetDouble()));
            Assert.Equal(JsonValueKind.Array, own.GetProperty("replicas").ValueKind);
        }

        await Expect(await Client.Get("/api/workers/status-original/status?format=xml"), HttpStatusCode.BadRequest, "INVALID_QUERY");
        await Expect(await Client.Get("/api/workers/status-nobody/status?format=original"), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");
    }

    [Fact]
    public async Task MonitoringHistory_KeepsToTheLastHours_AndRejectsBadHours()
    {
        Assert.Equal(HttpStatusCode.Created, (await Client.PostJson("/api/workers", new { name = "history-hours", queueName = "history-hours-q", processor = "echo" })).StatusCode);
        await Client.Post("/api/workers/history-hours/start");
        await Until("/api/workers/history-hours/monitoring/history", h => h.GetProperty("samples").GetArrayLength() >= 1, "no monitoring sample");

        var before = DateTimeOffset.UtcNow;
        var body = await (await Client.Get("/api/workers/history-hours/monitoring/history?hours=1")).Json();
        var from = body.GetProperty("from").GetDateTimeOffset();
        Assert.InRange(from, before.AddHours(-1).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(-1).AddMinutes(1));
        Assert.True(body.GetProperty("monitoring").GetBoolean());
        Assert.NotEmpty(body.GetProperty("samples").EnumerateArray());
        Assert.All(body.GetProperty("samples").EnumerateArray(), s => Assert.True(s.GetProperty("at").GetDateTimeOffset() >= from));

        // The window ends where to says: an hour's window that ended a day ago holds none of today's samples.
        var dayAgo = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"));
        Assert.Equal(0, (await (await Client.Get($"/api/workers/history-hours/monitoring/history?hours=168&to={dayAgo}")).Json()).GetProperty("samples").GetArrayLength());

        foreach (var bad in new[] { "0", "169", "-1", "1.5", "abc" })
        {
            await Expect(await Client.Get($"/api/workers/history-hours/monitoring/history?hours={bad}"), HttpStatusCode.BadRequest, "INVALID_QUERY");
        }

        await Expect(await Client.Get("/api/workers/history-hours/monitoring/history?hours=1&from=2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "INVALID_QUERY");
        await Expect(await Client.Get("/api/workers/history-none/monitoring/history?hours=1"), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");
    }

    [Fact]
    public async Task MonitoringStop_EndsSamplingAndTheScore_AcrossARestart_AndStartResumesIt()
    {
        Assert.Equal(HttpStatusCode.Created, (await Client.PostJson("/api/workers", new { name = "monitor-switch", queueName = "monitor-switch-q", processor = "echo" })).StatusCode);
        await Client.Post("/api/workers/monitor-switch/start");
        await Until("/api/workers/monitor-switch/status", s => s.GetProperty("healthScore").ValueKind == JsonValueKind.Number, "no health score");

        using (var viewer = fixture.Factory.Client(ApiRole.Viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post("/api/workers/monitor-switch/monitoring/stop")).StatusCode);
        }

        var stopped = await Client.Post("/api/workers/monitor-switch/monitoring/stop");
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        var answer = await stopped.Json();
        Assert.True(answer.GetProperty("ok").GetBoolean());
        Assert.False(answer.GetProperty("worker").GetProperty("monitoring").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/monitor-switch/monitoring/stop")).StatusCode);   // idempotent

        var history = await (await Client.Get("/api/workers/monitor-switch/monitoring/history")).Json();
        Assert.False(history.GetProperty("monitoring").GetBoolean());
        int kept = history.GetProperty("samples").GetArrayLength();
        Assert.True(kept >= 1, "the samples taken before the stop are kept");
        Assert.Equal(JsonValueKind.Null, (await (await Client.Get("/api/workers/monitor-switch/status")).Json()).GetProperty("healthScore").ValueKind);

        // Kept in the worker's state: a restart (which samples at once when monitored) takes no sample.
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/monitor-switch/restart")).StatusCode);
        var worker = (await (await Client.Get("/api/workers/monitor-switch")).Json()).GetProperty("worker");
        Assert.False(worker.GetProperty("monitoring").GetBoolean());
        await Task.Delay(300, TestContext.Current.CancellationToken);   // room for a sample that must not come
        Assert.Equal(kept, (await (await Client.Get("/api/workers/monitor-switch/monitoring/history")).Json()).GetProperty("samples").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, (await (await Client.Get("/api/workers/monitor-switch/status")).Json()).GetProperty("healthScore").ValueKind);

        var started = await (await Client.Post("/api/workers/monitor-switch/monitoring/start")).Json();
        Assert.True(started.GetProperty("worker").GetProperty("monitoring").GetBoolean());
        await Until("/api/workers/monitor-switch/monitoring/history", h => h.GetProperty("samples").GetArrayLength() > kept && h.GetProperty("monitoring").GetBoolean(), "a sample once monitoring started");
        await Until("/api/workers/monitor-switch/status", s => s.GetProperty("healthScore").ValueKind == JsonValueKind.Number, "a health score once monitoring started");

        await Expect(await Client.Post("/api/workers/monitor-nobody/monitoring/start"), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresTheNewRoutes_AndTheirQueryParameters()
    {
        var paths = (await (await Client.Get("/openapi/v1.json")).Json()).GetProperty("paths");

        foreach (var (path, method) in new[]
        {
            ("/api/workers/{name}/dead-letter-queue/list", "get"), ("/api/workers/{name}/dead-letter-queue/retry", "post"),
            ("/api/workers/{name}/monitoring/start", "post"), ("/api/workers/{name}/monitoring/stop", "post"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is missing from the OpenAPI document");
        }

        Assert.Contains("format", Parameters(paths, "/api/workers/{name}/status"));
        Assert.Superset(new HashSet<string> { "hours", "from", "to", "limit" }, Parameters(paths, "/api/workers/{name}/monitoring/history"));
        Assert.Superset(new HashSet<string> { "queue", "offset", "limit" }, Parameters(paths, "/api/workers/{name}/dead-letter-queue/list"));

        static HashSet<string> Parameters(JsonElement paths, string path) =>
            [.. paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.Str("name"))];
    }
}

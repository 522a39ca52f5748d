using System.Net;
using System.Text.Json;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The REST facade through the real HTTP pipeline and a real silo.</summary>
[Collection(nameof(SiloCollection))]
public sealed class ApiTests(SiloFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<JsonElement> CreateAndStart(string name, string queue, string processor = "echo", int concurrency = 2)
    {
        var created = await Client.PostJson("/api/workers", new { name, queueName = queue, processor, concurrency });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/workers/{name}", created.Headers.Location?.OriginalString);
        var started = await Client.Post($"/api/workers/{name}/start");
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        return (await started.Json()).GetProperty("worker");
    }

    private async Task<JsonElement> WaitForJob(string queue, string id, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var job = await (await Client.Get($"/api/queues/{queue}/jobs/{id}")).Json();
            if (job.Str("state") == state)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not reach {state}; last: {job}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Json();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal(code, body.Str("code"));
        Assert.False(string.IsNullOrEmpty(body.Str("message")));
        Assert.False(string.IsNullOrEmpty(body.Str("error")));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // RFC 9457's members as the framework writes them, and the request's trace id to find it in the logs.
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.Equal(body.Str("message"), body.Str("detail"));
        Assert.StartsWith("urn:zintrust:workers:error:", body.Str("type"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(body.Str("traceId")));
    }

    [Fact]
    public async Task Health_IsOk()
    {
        var response = await Client.Get("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Json()).Str("status"));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheRoutes_AndTheUiIsServed()
    {
        var response = await Client.Get("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await response.Json()).GetProperty("paths");
        foreach (var path in new[] { "/api/workers", "/api/workers/{name}/start", "/api/queues/{queue}/jobs", "/api/queues/{queue}/jobs/{id}/cancel", "/api/queues/{queue}/dead-letters/retry" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }

        Assert.True(paths.GetProperty("/api/workers").GetProperty("post").TryGetProperty("requestBody", out _));
        var ui = await Client.Get("/docs");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SystemSummary_CountsWorkersByStatus_AndQueueDepth()
    {
        await CreateAndStart("api-sum-run", "api-sum-q");
        await Client.PostJson("/api/queues/api-sum-q/pause", "");
        await Client.PostJson("/api/queues/api-sum-q/jobs", """[{"payload":1},{"payload":2}]""");

        var summary = (await (await Client.Get("/api/workers/system/summary")).Json()).GetProperty("summary");

        Assert.True(summary.GetProperty("running").GetInt32() >= 1);
        Assert.True(summary.GetProperty("waiting").GetInt32() >= 2);
        Assert.Equal(
            summary.GetProperty("total").GetInt32(),
            summary.GetProperty("running").GetInt32() + summary.GetProperty("stopped").GetInt32() + summary.GetProperty("failed").GetInt32()
                + summary.GetProperty("transitioning").GetInt32() + summary.GetProperty("inactive").GetInt32());
        var resources = summary.GetProperty("resources");
        Assert.Equal(1, resources.GetProperty("silos").GetInt32());
        Assert.True(resources.GetProperty("memoryUsedBytes").GetInt64() > 0);
        Assert.True(resources.GetProperty("memoryTotalBytes").GetInt64() >= resources.GetProperty("memoryUsedBytes").GetInt64());
        Assert.InRange(resources.GetProperty("cpuPercent").GetDouble(), 0, 100);
        await Client.Post("/api/queues/api-sum-q/resume");
    }

    [Fact]
    public async Task Ready_ReportsTheClusterCheck()
    {
        var response = await Client.Get("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("ready", body.Str("status"));
        Assert.Equal("ok", body.GetProperty("checks").Str("cluster"));
    }

    [Fact]
    public async Task Ready_AnswersProbesWithoutAKey_WithTheVerdictOnly()
    {
        using var probe = fixture.Factory.Client(role: null);

        var response = await probe.Get("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("ready", body.Str("status"));
        Assert.False(body.TryGetProperty("checks", out _), "an anonymous probe sees no checks (they name backends)");
    }

    [Fact]
    public async Task Walkthrough_CreateStartEnqueueAndReadTheResult()
    {
        var worker = await CreateAndStart("api-walk", "api-walk-q");
        Assert.Equal("running", worker.Str("status"));

        var enqueued = await Client.PostJson("/api/queues/api-walk-q/jobs", """{"payload":{"to":"ada@example.com"},"priority":"high"}""");
        Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
        var id = (await enqueued.Json()).Str("id");
        // 201 names where the job is read.
        Assert.Equal(id, (await (await Client.Get(enqueued.Headers.Location!.OriginalString)).Json()).Str("id"));

        var job = await WaitForJob("api-walk-q", id, "completed");
        Assert.Equal("ada@example.com", job.GetProperty("result").GetProperty("to").GetString());
        Assert.Equal(5, job.GetProperty("priority").GetInt32());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());

        var status = await (await Client.Get("/api/workers/api-walk/status")).Json();
        Assert.Equal("running", status.Str("status"));
        Assert.Equal("api-walk-q", status.Str("queueName"));
    }

    [Fact]
    public async Task Batch_ReturnsEveryJobId()
    {
        await CreateAndStart("api-batch", "api-batch-q");

        var response = await Client.PostJson("/api/queues/api-batch-q/jobs", """[{"payload":1},{"data":2},{"payload":3,"delayMs":10}]""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(3, body.GetProperty("count").GetInt32());
        foreach (var job in body.GetProperty("jobs").EnumerateArray())
        {
            await WaitForJob("api-batch-q", job.Str("id"), "completed");
        }
    }

    [Fact]
    public async Task IdempotencyKeyHeader_ReturnsTheSameJob()
    {
        async Task<HttpResponseMessage> Send()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/queues/api-idem-q/jobs")
            {
                Content = new StringContent("""{"payload":{"n":1}}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "invoice-7");
            return await Client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        var first = await Send();
        var second = await Send();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.Json();
        var b = await second.Json();
        Assert.Equal(a.Str("id"), b.Str("id"));
        Assert.False(b.GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task Cancel_WaitingJob_ThenAgain_ThenUnknown()
    {
        var enqueued = await (await Client.PostJson("/api/queues/api-cancel-q/jobs", """{"payload":{}}""")).Json();
        var id = enqueued.Str("id");

        Assert.Equal(HttpStatusCode.OK, (await Client.Post($"/api/queues/api-cancel-q/jobs/{id}/cancel")).StatusCode);
        Assert.Equal("cancelled", (await (await Client.Get($"/api/queues/api-cancel-q/jobs/{id}")).Json()).Str("state"));
        await AssertError(await Client.Post($"/api/queues/api-cancel-q/jobs/{id}/cancel"), HttpStatusCode.Conflict, "JOB_ALREADY_FINISHED");
        await AssertError(await Client.Post("/api/queues/api-cancel-q/jobs/0123456789abcdef/cancel"), HttpStatusCode.NotFound, "JOB_NOT_FOUND");
    }

    [Fact]
    public async Task Prune_KeepsRecentJobs_AndValidatesHours()
    {
        var id = (await (await Client.PostJson("/api/queues/api-prune-q/jobs", """{"payload":{}}""")).Json()).Str("id");
        await Client.Post($"/api/queues/api-prune-q/jobs/{id}/cancel");

        var pruned = await (await Client.Post("/api/queues/api-prune-q/prune?hours=1")).Json();

        Assert.Equal(0, pruned.GetProperty("pruned").GetInt32());
        Assert.Equal(1, pruned.GetProperty("olderThanHours").GetInt32());
        Assert.Equal("cancelled", (await (await Client.Get($"/api/queues/api-prune-q/jobs/{id}")).Json()).Str("state"));
        await AssertError(await Client.Post("/api/queues/api-prune-q/prune?hours=0"), HttpStatusCode.BadRequest, "INVALID_QUERY");
        await AssertError(await Client.Post("/api/queues/api-prune-q/prune?hours=lots"), HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Fact]
    public async Task Stop_And_Restart_ChangeTheStatus()
    {
        await CreateAndStart("api-life", "api-life-q");

        var stopped = await (await Client.Post("/api/workers/api-life/stop")).Json();
        Assert.Equal("stopped", stopped.GetProperty("worker").Str("status"));
        var restarted = await (await Client.Post("/api/workers/api-life/restart")).Json();
        Assert.Equal("running", restarted.GetProperty("worker").Str("status"));
        Assert.Equal(2, restarted.GetProperty("worker").GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task Update_ChangesConcurrency_OfTheRunningWorker()
    {
        await CreateAndStart("api-update", "api-update-q", concurrency: 1);

        var response = await Client.PatchAsync("/api/workers/api-update", new StringContent("""{"concurrency":7}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await (await Client.Get("/api/workers/api-update/status")).Json();
        Assert.Equal(7, status.GetProperty("concurrency").GetInt32());
        Assert.Equal(7, status.GetProperty("replicas")[0].GetProperty("concurrency").GetInt32());
    }

    [Fact]
    public async Task List_HidesInactiveWorkers_UnlessAsked()
    {
        await Client.PostJson("/api/workers", new { name = "api-hidden", queueName = "api-hidden-q", activeStatus = false });

        var visible = await (await Client.Get("/api/workers")).Json();
        var all = await (await Client.Get("/api/workers?includeInactive=true")).Json();

        Assert.DoesNotContain(visible.GetProperty("workers").EnumerateArray(), w => w.Str("name") == "api-hidden");
        Assert.Contains(all.GetProperty("workers").EnumerateArray(), w => w.Str("name") == "api-hidden");
        await AssertError(await Client.Post("/api/workers/api-hidden/start"), HttpStatusCode.Gone, "WORKER_INACTIVE");
    }

    [Theory]
    [InlineData("""{"name":"ab","queueName":"valid-q"}""", "INVALID_WORKER_NAME")]
    [InlineData("""{"name":"bad name!","queueName":"valid-q"}""", "INVALID_WORKER_NAME")]
    [InlineData("""{"queueName":"valid-q"}""", "MISSING_REQUIRED_FIELD")]
    [InlineData("""{"name":"valid-name"}""", "MISSING_REQUIRED_FIELD")]
    [InlineData("""{"name":"valid-name","queueName":"q"}""", "INVALID_QUEUE_NAME")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","version":"1.0"}""", "INVALID_VERSION")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","concurrency":0}""", "INVALID_CONCURRENCY")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","features":{"teleport":true}}""", "INVALID_FEATURE_FLAG")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","features":{"metrics":"yes"}}""", "INVALID_FEATURE_FLAG")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","surprise":1}""", "INVALID_BODY")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","concurrency":"5"}""", "INVALID_BODY")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","jobOptions":{"attempts":0}}""", "INVALID_JOB_OPTIONS")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","jobOptions":{"backoff":{"type":"linear"}}}""", "INVALID_JOB_OPTIONS")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","processor":"../../etc/passwd"}""", "INVALID_PROCESSOR")]
    [InlineData("""{"name":"valid-name","queueName":"valid-q","persistenceDriver":"mongodb"}""", "INVALID_PERSISTENCE_DRIVER")]
    [InlineData("""not json""", "INVALID_JSON")]
    [InlineData("""[1,2]""", "INVALID_BODY")]
    [InlineData("""{"name":""", "INVALID_JSON")]
    public async Task CreateWorker_WithBadInput_Is400_WithAStableCode(string body, string code)
    {
        await AssertError(await Client.PostJson("/api/workers", body), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task CreateWorker_Twice_Is409()
    {
        await Client.PostJson("/api/workers", new { name = "api-twice", queueName = "api-twice-q" });

        await AssertError(await Client.PostJson("/api/workers", new { name = "api-twice", queueName = "api-twice-q" }), HttpStatusCode.Conflict, "WORKER_EXISTS");
    }

    [Theory]
    [InlineData("/api/workers/nobody-here", "WORKER_NOT_FOUND")]
    [InlineData("/api/workers/nobody-here/status", "WORKER_NOT_FOUND")]
    [InlineData("/api/queues/demo-queue/jobs/0123456789abcdef", "JOB_NOT_FOUND")]
    [InlineData("/api/queues/some-queue/jobs/0123456789abcdef", "QUEUE_NOT_FOUND")]
    [InlineData("/api/queues/some-queue", "QUEUE_NOT_FOUND")]
    [InlineData("/api/queues/some-queue/dead-letters", "QUEUE_NOT_FOUND")]
    [InlineData("/api/no/such/route", "ROUTE_NOT_FOUND")]
    public async Task Unknown_Is404(string url, string code)
    {
        await AssertError(await Client.Get(url), HttpStatusCode.NotFound, code);
    }

    [Theory]
    [InlineData("POST", "/api/workers", "text/plain", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")]
    [InlineData("POST", "/api/queues/demo-queue/jobs", null, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")]
    [InlineData("PUT", "/api/workers/demo-worker/placement", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")]
    [InlineData("POST", "/api/no/such/route", "text/plain", HttpStatusCode.NotFound, "ROUTE_NOT_FOUND")]
    [InlineData("DELETE", "/api/workers", "text/plain", HttpStatusCode.NotFound, "ROUTE_NOT_FOUND")]
    public async Task ABodyThatIsNotJson_IsA415ForARouteTakingJson_AndStillA404Elsewhere(string method, string url, string? contentType, HttpStatusCode status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ByteArrayContent("""{"name":"media-w","queueName":"media-q"}"""u8.ToArray()) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        await AssertError(await Client.SendAsync(request, TestContext.Current.CancellationToken), status, code);
    }

    [Theory]
    [InlineData("/api/workers/x!/start", "INVALID_WORKER_NAME")]
    [InlineData("/api/queues/q!/jobs/abc/cancel", "INVALID_QUEUE_NAME")]
    [InlineData("/api/queues/good-queue/jobs/abc!def/cancel", "INVALID_JOB_ID")]
    public async Task BadNamesInTheRoute_Are400(string url, string code)
    {
        await AssertError(await Client.Post(url), HttpStatusCode.BadRequest, code);
    }

    [Theory]
    [InlineData("""{"payload":{},"priority":"urgent"}""", "INVALID_PRIORITY")]
    [InlineData("""{"payload":{},"priority":1000}""", "INVALID_PRIORITY")]
    [InlineData("""{"payload":{},"delayMs":-5}""", "INVALID_DELAY")]
    [InlineData("""{"payload":{},"attempts":0}""", "INVALID_JOB_OPTIONS")]
    [InlineData("""{"payload":{},"data":{}}""", "INVALID_BODY")]
    [InlineData("""{"payload":{},"color":"red"}""", "INVALID_BODY")]
    [InlineData("""[]""", "INVALID_BATCH")]
    [InlineData("""42""", "INVALID_BODY")]
    [InlineData("", "INVALID_BODY")]
    public async Task Enqueue_WithBadInput_Is400(string body, string code)
    {
        await AssertError(await Client.PostJson("/api/queues/api-bad-q/jobs", body), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task DeeplyNestedJson_Is400()
    {
        var deep = new string('[', 200) + new string(']', 200);

        await AssertError(await Client.PostJson("/api/queues/api-deep-q/jobs", "{\"payload\":" + deep + "}"), HttpStatusCode.BadRequest, "INVALID_JSON");
    }

    [Fact]
    public async Task GarbageBodies_NeverYieldA5xx()
    {
        var random = new Random(7);
        string[] urls = ["/api/workers", "/api/queues/fuzz-q/jobs", "/api/workers/fuzz-w/start", "/api/queues/fuzz-q/dead-letters/retry"];
        string[] seeds = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-", "\\u0000", "name", "queueName", "payload", "{\"name\":", "{\"jobs\":[", "\u00ff"];
        for (int i = 0; i < 200; i++)
        {
            var body = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => seeds[random.Next(seeds.Length)]));
            var url = urls[i % urls.Length];
            var response = await Client.PostJson(url, body);
            Assert.True((int)response.StatusCode < 500, $"POST {url} with {body} gave {(int)response.StatusCode}");
        }
    }
}

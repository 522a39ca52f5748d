using System.Net;
using System.Text.Json;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>GET /api/workers/{name}/metrics?period=hour|day|month: the durable buckets, their limits and their 400s.</summary>
[Collection(nameof(SiloCollection))]
public sealed class WorkerMetricsRoutesTests(SiloFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task MetricsByPeriod_GiveTheDurableBuckets_AfterAGracefulStopHandsTheLastRunsOver()
    {
        Assert.Equal(HttpStatusCode.Created, (await Client.PostJson("/api/workers", new { name = "routes-periods", queueName = "routes-periods-q", processor = "echo" })).StatusCode);
        await Client.Post("/api/workers/routes-periods/start");
        var id = (await (await Client.PostJson("/api/queues/routes-periods-q/jobs", """{"payload":{"n":1}}""")).Json()).Str("id");
        await Until($"/api/queues/routes-periods-q/jobs/{id}", j => j.Str("state") == "completed", "the job completes");
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/routes-periods/stop")).StatusCode);
        var now = DateTimeOffset.UtcNow;

        foreach (var (period, retention) in new[] { ("hour", 48), ("day", 62), ("month", 24) })
        {
            var body = await (await Client.Get($"/api/workers/routes-periods/metrics?period={period}")).Json();
            Assert.True(body.GetProperty("ok").GetBoolean());
            Assert.Equal(("routes-periods", period, retention), (body.Str("name"), body.Str("period"), body.GetProperty("retention").GetInt32()));
            Assert.Equal(0.05, body.GetProperty("percentileRelativeError").GetDouble());
            Assert.Equal(JsonValueKind.String, body.GetProperty("savedAt").ValueKind);
            var bucket = Assert.Single(body.GetProperty("buckets").EnumerateArray());
            Assert.Equal(1, body.GetProperty("count").GetInt32());
            Assert.Equal((1, 0, 1, 0, 0), (bucket.GetProperty("completed").GetInt64(), bucket.GetProperty("failed").GetInt64(), bucket.GetProperty("runs").GetInt64(), bucket.GetProperty("retried").GetInt64(), bucket.GetProperty("deadLettered").GetInt64()));
            Assert.Equal(100.0, bucket.GetProperty("successRate").GetDouble());
            Assert.True(bucket.GetProperty("minMs").GetDouble() <= bucket.GetProperty("p50Ms").GetDouble());
            Assert.True(bucket.GetProperty("p50Ms").GetDouble() <= bucket.GetProperty("p99Ms").GetDouble());
            Assert.True(bucket.GetProperty("averageMs").GetDouble() >= 0);
            var start = bucket.GetProperty("start").GetDateTimeOffset();
            Assert.InRange(now, start, bucket.GetProperty("end").GetDateTimeOffset());
            Assert.Equal(TimeSpan.Zero, start.Offset);
            Assert.Equal(0, start.Minute + start.Second + start.Millisecond);
        }

        Assert.Equal(1, (await (await Client.Get("/api/workers/routes-periods/metrics?period=day&limit=1")).Json()).GetProperty("count").GetInt32());

        // Without a period the answer is the live one, as before.
        var live = await (await Client.Get("/api/workers/routes-periods/metrics")).Json();
        Assert.Equal("routes-periods", live.Str("name"));
        Assert.False(live.TryGetProperty("buckets", out _));
        Assert.True(live.TryGetProperty("completed", out _));
    }

    [Theory]
    [InlineData("period=week")]
    [InlineData("period=Hour")]
    [InlineData("period=hour&limit=0")]
    [InlineData("period=hour&limit=49")]
    [InlineData("period=day&limit=63")]
    [InlineData("period=month&limit=25")]
    [InlineData("period=day&limit=many")]
    public async Task MetricsByPeriod_RefuseABadPeriodOrLimit_WithInvalidQuery(string query)
    {
        // Checked before the worker is looked up: the same answer whether it exists or not.
        var response = await Client.Get($"/api/workers/routes-bad-query/metrics?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_QUERY", (await response.Json()).Str("code"));
    }

    [Fact]
    public async Task MetricsByPeriod_OfAnUnknownWorker_Is404_AndTheOpenApiDocumentDeclaresThePeriod()
    {
        var missing = await Client.Get("/api/workers/routes-nobody-here/metrics?period=day");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("WORKER_NOT_FOUND", (await missing.Json()).Str("code"));

        var operation = (await (await Client.Get("/openapi/v1.json")).Json()).GetProperty("paths").GetProperty("/api/workers/{name}/metrics").GetProperty("get");
        Assert.Superset(new HashSet<string> { "name", "period", "limit" }, operation.GetProperty("parameters").EnumerateArray().Select(p => p.Str("name")).ToHashSet());
        Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _));
    }

    private async Task<JsonElement> Until(string url, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var body = await (await Client.Get(url)).Json();
            if (done(body))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what}; last: {body}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}

using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>
/// The REST side of declared health checks, failure detection, the feature flags and the infrastructure block: the original's
/// bodies accepted, bad values refused with stable codes, and a failed worker's reason in its status, its listing and its record.
/// </summary>
[Collection(nameof(SiloCollection))]
public sealed class HealthCheckRoutesTests(SiloFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Json();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal(code, body.Str("code"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> Created(string json)
    {
        var response = await Client.PostJson("/api/workers", json);
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {response.StatusCode}: {body}");
        return body.GetProperty("worker");
    }

    [Fact]
    public async Task TheOriginalsCreateBody_WithARegisteredHealthCheck_IsAccepted()
    {
        var worker = await Created("""
            {"name": "email-sender", "queueName": "emails", "concurrency": 5, "processor": "EmailProcessor", "healthCheck": "EmailHealthCheck"}
            """);

        var check = worker.GetProperty("healthCheck");
        Assert.Equal(("registered", "EmailHealthCheck", 2, 5000), (check.Str("kind"), check.Str("name"), check.GetProperty("failureThreshold").GetInt32(), check.GetProperty("timeoutMs").GetInt32()));
        Assert.Equal(JsonValueKind.Null, check.GetProperty("intervalMs").ValueKind);
        Assert.Equal(JsonValueKind.Null, worker.GetProperty("failure").ValueKind);

        await Expect(await Client.PostJson("/api/workers", """{"name":"email-unknown","queueName":"emails","healthCheck":"NoSuchCheck"}"""), HttpStatusCode.Conflict, "HEALTH_CHECK_NOT_FOUND");
        Assert.Equal(HttpStatusCode.NotFound, (await Client.Get("/api/workers/email-unknown")).StatusCode);
    }

    [Fact]
    public async Task TheOriginalsValidationExample_IsAccepted_ExceptItsProcessorPath()
    {
        const string Example = """
            {
              "name": "email-worker",
              "queueName": "emails",
              "version": "1.0.0",
              "processor": "./processors/EmailProcessor.ts",
              "infrastructure": { "driver": "redis", "persistence": { "driver": "db" } },
              "features": { "observability": true, "healthMonitoring": true }
            }
            """;

        // A processor here is a registered name or a processor spec (an assembly), never a script path.
        await Expect(await Client.PostJson("/api/workers/create", Example), HttpStatusCode.BadRequest, "INVALID_PROCESSOR");

        var worker = await Created(Example.Replace("./processors/EmailProcessor.ts", "echo", StringComparison.Ordinal));
        Assert.Equal("db", worker.Str("persistenceDriver"));
        Assert.True(worker.GetProperty("features").GetProperty("observability").GetBoolean());
        Assert.True(worker.GetProperty("features").GetProperty("healthMonitoring").GetBoolean());
    }

    [Theory]
    [InlineData("""{"kind":"http","url":"ftp://example.com/health"}""")]
    [InlineData("""{"kind":"http","url":"http://user:secret@example.com/health"}""")]
    [InlineData("""{"kind":"http","url":"/health"}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","expectStatus":99}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","timeoutMs":99}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","timeoutMs":60001}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","intervalMs":999}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","failureThreshold":0}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","failureThreshold":101}""")]
    [InlineData("""{"kind":"http","url":"http://example.com/health","headers":{"x":"y"}}""")]
    [InlineData("""{"kind":"tcp","host":"db.internal","port":0}""")]
    [InlineData("""{"kind":"tcp","host":"db.internal","port":65536}""")]
    [InlineData("""{"kind":"tcp","host":"not a host!","port":5432}""")]
    [InlineData("""{"kind":"tcp","host":"db.internal","port":5432,"url":"http://example.com/"}""")]
    [InlineData("""{"kind":"registered"}""")]
    [InlineData("""{"kind":"smtp","host":"mail"}""")]
    [InlineData("""{"url":"http://example.com/health"}""")]
    [InlineData("\"bad name!\"")]
    [InlineData("5")]
    [InlineData("[]")]
    public async Task ABadHealthCheck_Is400_INVALID_HEALTH_CHECK(string check)
    {
        var body = """{"name":"hc-bad","queueName":"hc-bad-q","healthCheck":""" + check + "}";
        await Expect(await Client.PostJson("/api/workers", body), HttpStatusCode.BadRequest, "INVALID_HEALTH_CHECK");
    }

    [Theory]
    [InlineData("""{"infrastructure":{"driver":"rabbitmq"}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"redis":{"env":false}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"redis":{"host":"10.0.0.5"}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"queue":"x"}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"persistence":{"driver":"mongodb"}}}""", "INVALID_PERSISTENCE_DRIVER")]
    [InlineData("""{"persistence":{"driver":"mysql"}}""", "INVALID_PERSISTENCE_DRIVER")]
    [InlineData("""{"infrastructure":{"persistence":{"driver":"db","client":{"host":"x"}}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"persistence":{"driver":"db","connection":"mysql"}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"persistence":{"driver":"db","table":"other_workers"}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"persistence":{"driver":"redis","table":"zintrust_workers"}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"infrastructure":{"persistence":{"driver":"redis","keyPrefix":"someone_else"}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"persistenceDriver":"redis","persistence":{"driver":"db"}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"persistence":{"driver":"db"},"infrastructure":{"persistence":{"driver":"db"}}}""", "INVALID_INFRASTRUCTURE")]
    [InlineData("""{"features":{"clustering":false}}""", "FEATURE_NOT_SUPPORTED")]
    [InlineData("""{"features":{"compliance":false}}""", "FEATURE_NOT_SUPPORTED")]
    [InlineData("""{"features":{"versioning":false}}""", "FEATURE_NOT_SUPPORTED")]
    [InlineData("""{"features":{"datacenterOrchestration":false},"datacenter":{"primaryRegion":"us-east-1"}}""", "FEATURE_NOT_SUPPORTED")]
    public async Task AnInfrastructureOrFlagThatCannotApply_Is400_WithAStableCode(string extra, string code)
    {
        var body = """{"name":"infra-bad","queueName":"infra-bad-q",""" + extra[1..];
        await Expect(await Client.PostJson("/api/workers", body), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task TheInfrastructureBlock_NamingThisClustersStorage_IsAccepted_OnCreateAndUpdate()
    {
        var worker = await Created("""
            {"name": "infra-ok", "queueName": "infra-ok-q", "processor": "echo",
             "infrastructure": {"driver": "memory", "redis": {"env": true},
                                "persistence": {"driver": "db", "connection": "default", "table": "zintrust_workers"}}}
            """);
        Assert.Equal("db", worker.Str("persistenceDriver"));

        // The original's auto-start example names its persistence at the top level.
        var topLevel = await Created("""{"name": "example-test-redis6", "queueName": "infra-top-q", "persistence": {"driver": "redis"}, "autoStart": true}""");
        Assert.Equal("redis", topLevel.Str("persistenceDriver"));

        var updated = await (await Client.PatchJson("/api/workers/infra-ok", """{"infrastructure":{"persistence":{"driver":"memory"}}}""")).Json();
        Assert.Equal("memory", updated.GetProperty("worker").Str("persistenceDriver"));
        await Expect(await Client.PatchJson("/api/workers/infra-ok", """{"persistence":{"driver":"sqlite"}}"""), HttpStatusCode.BadRequest, "INVALID_PERSISTENCE_DRIVER");
        await Expect(await Client.PatchJson("/api/workers/infra-ok", """{"features":{"clustering":false}}"""), HttpStatusCode.BadRequest, "FEATURE_NOT_SUPPORTED");
    }

    [Fact]
    public async Task AHealthCheck_IsSetReplacedAndRemoved_ByUpdates()
    {
        await Created("""{"name":"hc-patch","queueName":"hc-patch-q","processor":"echo"}""");

        var http = await (await Client.PatchJson("/api/workers/hc-patch", """{"healthCheck":{"kind":"http","url":"https://api.example.com/health?token=x","timeoutMs":2000,"expectStatus":204,"intervalMs":15000,"failureThreshold":3}}""")).Json();
        var check = http.GetProperty("worker").GetProperty("healthCheck");
        Assert.Equal(("http", "https://api.example.com/health?token=x", 204, 2000, 15000, 3),
            (check.Str("kind"), check.Str("url"), check.GetProperty("expectStatus").GetInt32(), check.GetProperty("timeoutMs").GetInt32(), check.GetProperty("intervalMs").GetInt32(), check.GetProperty("failureThreshold").GetInt32()));

        var tcp = await (await Client.PatchJson("/api/workers/hc-patch", """{"healthCheck":{"kind":"tcp","host":"db.internal","port":5432}}""")).Json();
        check = tcp.GetProperty("worker").GetProperty("healthCheck");
        Assert.Equal(("tcp", "db.internal", 5432, 5000), (check.Str("kind"), check.Str("host"), check.GetProperty("port").GetInt32(), check.GetProperty("timeoutMs").GetInt32()));
        Assert.Equal(JsonValueKind.Null, check.GetProperty("url").ValueKind);   // a replacement, not a merge

        var cleared = await (await Client.PatchJson("/api/workers/hc-patch", """{"healthCheck":null}""")).Json();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("worker").GetProperty("healthCheck").ValueKind);
        await Expect(await Client.PatchJson("/api/workers/hc-patch", """{"healthCheck":{"kind":"tcp","host":"db.internal"}}"""), HttpStatusCode.BadRequest, "INVALID_HEALTH_CHECK");
    }

    [Fact]
    public async Task AFailedWorker_ShowsWhyAndSince_InItsStatusListingAndRecord_AndARestartClearsIt()
    {
        await using var endpoint = new TestHttpEndpoint(status: 503);
        await Created($$"""
            {"name":"hc-rest","queueName":"hc-rest-q","processor":"echo","replicas":2,
             "healthCheck":{"kind":"http","url":"{{endpoint.Url()}}","intervalMs":1000,"timeoutMs":2000},
             "healthPolicy":{"restartWhenFailed":false} }
            """);
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/hc-rest/start")).StatusCode);

        var status = await Eventually.Get(async () => await (await Client.Get("/api/workers/hc-rest/status")).Json(), s => s.Str("status") == "failed", "the worker failed its check twice", TimeSpan.FromSeconds(20));
        var failure = status.GetProperty("failure");
        Assert.Equal("HEALTH_CHECK_FAILED", failure.Str("code"));
        Assert.Equal($"HTTP check {endpoint.Url()} failed 2 times in a row: HTTP 503 from {endpoint.Url()} (expected 2xx)", failure.Str("reason"));
        Assert.Equal(failure.Str("reason"), status.Str("lastError"));
        Assert.Empty(status.GetProperty("replicas").EnumerateArray());
        Assert.Equal(("hc-rest", 2), (status.GetProperty("health").Str("source"), status.GetProperty("health").GetProperty("consecutiveFailures").GetInt32()));

        var listed = await (await Client.Get("/api/workers?status=failed")).Json();
        var row = listed.GetProperty("workers").EnumerateArray().Single(w => w.Str("name") == "hc-rest");
        Assert.Equal(failure.Str("at"), row.GetProperty("failure").Str("at"));
        var record = await (await Client.Get("/api/workers/hc-rest")).Json();
        Assert.Equal("HEALTH_CHECK_FAILED", record.GetProperty("worker").GetProperty("failure").Str("code"));
        Assert.False(record.GetProperty("worker").GetProperty("healthPolicy").GetProperty("restartWhenFailed").GetBoolean());
        var original = await (await Client.Get("/api/workers/hc-rest/status?format=original")).Json();
        Assert.Equal("failed", original.GetProperty("status").Str("state"));

        endpoint.Status = 200;
        var restarted = await (await Client.Post("/api/workers/hc-rest/restart")).Json();
        Assert.Equal("running", restarted.GetProperty("worker").Str("status"));
        Assert.Equal(JsonValueKind.Null, restarted.GetProperty("worker").GetProperty("failure").ValueKind);
        Assert.Equal(JsonValueKind.Null, restarted.GetProperty("worker").GetProperty("lastError").ValueKind);
        await Eventually.True(async () => (await (await Client.Get("/api/workers/hc-rest/health")).Json()).GetProperty("health").GetProperty("healthy").ValueKind == JsonValueKind.True, "the check passes after the restart", TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/hc-rest/stop")).StatusCode);
    }

    [Fact]
    public async Task DatacenterOrchestrationOff_RefusesAPlacement_With409()
    {
        await Created("""{"name":"dc-off","queueName":"dc-off-q","features":{"datacenterOrchestration":false}}""");
        await Expect(await Client.PutJson("/api/workers/dc-off/placement", new { region = "us-east-1" }), HttpStatusCode.Conflict, "FEATURE_DISABLED");
    }
}

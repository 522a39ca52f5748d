using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The audit log through the real HTTP pipeline: what the API records, the routes that read and verify it.</summary>
public sealed class AuditRoutesTests : IAsyncLifetime
{
    private static readonly string[] Mutating = ["POST", "PUT", "PATCH", "DELETE"];
    private readonly SiloFactory factory = new();
    private HttpClient admin = null!;

    public async ValueTask InitializeAsync()
    {
        admin = factory.Client(ApiRole.Admin);
        (await admin.Get("/health")).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task EveryMutatingRoute_CalledWithAnAdminKey_LeavesExactlyOneRecord_WithItsActionTargetAndOutcome()
    {
        var failures = new List<string>();
        long cursor = await Last();
        foreach (var route in SecurityTests.Matrix.Keys.Where(r => Mutating.Contains(r[..r.IndexOf(' ', StringComparison.Ordinal)])).Where(r => r.Contains("/api/", StringComparison.Ordinal)))
        {
            var (method, path) = SecurityTests.Instantiate(route);
            using var message = new HttpRequestMessage(method, path);
            if (method != HttpMethod.Delete)
            {
                message.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await admin.SendAsync(message, TestContext.Current.CancellationToken);
            int status = (int)response.StatusCode;
            await Eventually.Get(() => Records($"after={cursor}&actor=test-admin"), r => r.Count >= 1, $"a record of {route}", TimeSpan.FromSeconds(10));
            var records = await Records($"after={cursor}&actor=test-admin");
            if (records.Count != 1)
            {
                failures.Add($"{route}: {records.Count} records");
                cursor = records.Count == 0 ? cursor : records[^1].GetProperty("sequence").GetInt64();
                continue;
            }

            var record = records[0];
            cursor = record.GetProperty("sequence").GetInt64();
            var pattern = route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            var details = record.GetProperty("details");
            string expectedOutcome = status < 400 ? "success" : status is 401 or 403 ? "denied" : "failed";
            string expectedTarget = string.Join('/', new[] { "{name}", "{queue}", "{id}", "{version}", "{subject}" }
                .Select(p => (Index: pattern.IndexOf(p, StringComparison.Ordinal), Value: Value(p)))
                .Where(p => p.Index >= 0).OrderBy(p => p.Index).Select(p => p.Value));
            if (details.Str("route") != pattern || details.Str("method") != method.Method || details.Str("status") != status.ToString(System.Globalization.CultureInfo.InvariantCulture)
                || record.Str("outcome") != expectedOutcome || (record.GetProperty("target").GetString() ?? "") != expectedTarget
                || record.Str("role") != "admin" || string.IsNullOrEmpty(record.Str("action")) || string.IsNullOrEmpty(record.Str("correlationId")))
            {
                failures.Add($"{route} ({status}): {record}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("POST /api/workers/", "workers.create")]
    [InlineData("POST /api/workers/create", "workers.create")]
    [InlineData("PATCH /api/workers/{name}", "workers.update")]
    [InlineData("DELETE /api/workers/{name}", "workers.delete")]
    [InlineData("POST /api/workers/{name}/start", "workers.start")]
    [InlineData("POST /api/workers/{name}/versions", "workers.versions.create")]
    [InlineData("POST /api/workers/{name}/versions/{version}/activate", "workers.versions.activate")]
    [InlineData("POST /api/queues/{queue}/jobs", "queues.jobs.create")]
    [InlineData("POST /api/queues/{queue}/jobs/{id}/cancel", "queues.jobs.cancel")]
    [InlineData("DELETE /api/queues/{queue}/dead-letters", "queues.dead-letters.delete")]
    [InlineData("PUT /api/schedules/{id}", "schedules.put")]
    [InlineData("GET /api/workers/{name}", "workers.read")]
    public void ActionName_ComesFromTheRoutePattern_WhenTheRouteIsMatched(string route, string action)
    {
        int space = route.IndexOf(' ', StringComparison.Ordinal);
        var pattern = Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(route[(space + 1)..]);

        Assert.Equal(action, AuditActionNames.Of(route[..space], pattern));
    }

    [Fact]
    public async Task RefusedCalls_AreRecorded_AnonymousWithoutAKey_AndByNameWithALowRole()
    {
        long cursor = await Last();
        using var anonymous = factory.Client(role: null);
        using var viewer = factory.Client(ApiRole.Viewer);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Get("/api/workers/audit-refused")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post("/api/workers/audit-refused/start")).StatusCode);

        var records = await Eventually.Get(() => Records($"after={cursor}&outcome=denied"), r => r.Count >= 2, "two refused calls recorded");
        var unauthorized = Assert.Single(records, r => r.Str("actor") == "anonymous");
        Assert.Equal("workers.read", unauthorized.Str("action"));
        Assert.Equal("audit-refused", unauthorized.Str("target"));
        Assert.Equal(JsonValueKind.Null, unauthorized.GetProperty("role").ValueKind);
        Assert.Equal("401", unauthorized.GetProperty("details").Str("status"));
        var forbidden = Assert.Single(records, r => r.Str("actor") == "test-viewer");
        Assert.Equal("workers.start", forbidden.Str("action"));
        Assert.Equal("viewer", forbidden.Str("role"));
        Assert.Equal("403", forbidden.GetProperty("details").Str("status"));
    }

    [Fact]
    public async Task Reads_AreNotRecorded_AndNoRecordHoldsABodyOrAQueryString()
    {
        long cursor = await Last();
        Assert.Equal(HttpStatusCode.OK, (await admin.Get("/api/workers?limit=5")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/queues/audit-secret-q/jobs?token=secret-in-query", """{"payload":{"password":"hunter2"}}""")).StatusCode);

        var records = await Eventually.Get(() => Records($"after={cursor}&actor=test-admin"), r => r.Count >= 1, "the enqueue recorded");
        var record = Assert.Single(records);
        Assert.Equal("queues.jobs.create", record.Str("action"));
        Assert.Equal("audit-secret-q", record.Str("target"));
        Assert.DoesNotContain("hunter2", record.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-in-query", record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FiltersAndPagesOldestFirst_WithACursor()
    {
        long cursor = await Last();
        for (int i = 0; i < 3; i++)
        {
            await admin.Post($"/api/queues/audit-page-{i}/pause");
        }

        await Eventually.Get(() => Records($"after={cursor}&action=queues.pause"), r => r.Count >= 3, "three pauses recorded");
        var first = await (await admin.Get($"/api/audit?after={cursor}&action=queues.pause&limit=2")).Json();
        var page = first.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(["audit-page-0", "audit-page-1"], page.Select(r => r.Str("target")));
        long next = first.GetProperty("next").GetInt64();
        var second = await (await admin.Get($"/api/audit?after={next}&action=queues.pause&limit=2")).Json();
        Assert.Equal(["audit-page-2"], second.GetProperty("records").EnumerateArray().Select(r => r.Str("target")));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        Assert.Equal(["audit-page-1"], (await Records($"after={cursor}&target=audit-page-1")).Select(r => r.Str("target")));
    }

    [Fact]
    public async Task Verify_HoldsForTheLog_AndBadQueriesAreProblemsWithACode()
    {
        await admin.Post("/api/queues/audit-verify-q/pause");

        var verdict = await Eventually.Get(async () => await (await admin.Get("/api/audit/verify")).Json(), v => v.GetProperty("checked").GetInt64() >= 1, "a checked record");
        Assert.True(verdict.GetProperty("valid").GetBoolean(), verdict.ToString());
        Assert.Equal(JsonValueKind.Null, verdict.GetProperty("firstBad").ValueKind);
        var range = await (await admin.Get("/api/audit/verify?from=1&to=1")).Json();
        Assert.True(range.GetProperty("valid").GetBoolean(), range.ToString());
        Assert.Equal(1, range.GetProperty("checked").GetInt64());

        foreach (var bad in new[] { "/api/audit?outcome=maybe", "/api/audit?limit=1001", "/api/audit?from=yesterday", "/api/audit/verify?from=5&to=2" })
        {
            var response = await admin.Get(bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("INVALID_QUERY", (await response.Json()).Str("code"));
        }
    }

    [Fact]
    public async Task AuditLog_RecordsNothing_WhenWorkerAuditLogIsOff()
    {
        await using var off = new SiloFactory(new Dictionary<string, string> { ["WORKER_AUDIT_LOG"] = "false", ["WORKER_SOC2"] = "false" });
        using var client = off.Client(ApiRole.Admin);

        Assert.Equal(HttpStatusCode.Created, (await client.PostJson("/api/queues/audit-off-q/jobs", """{"payload":{}}""")).StatusCode);

        var page = await (await client.Get("/api/audit")).Json();
        Assert.Empty(page.GetProperty("records").EnumerateArray());
    }

    private static string Value(string parameter) => parameter switch
    {
        "{name}" => "matrix-worker",
        "{queue}" => "matrix-queue",
        "{id}" => "no-such-job",
        "{subject}" => ZinTrust.Workers.Grains.DataSubjects.Digest("matrix-subject"),   // personal data: named by its digest
        _ => "9.9.9",
    };

    private async Task<long> Last()
    {
        long after = 0;
        while (true)
        {
            var page = await (await admin.Get($"/api/audit?after={after}&limit=1000")).Json();
            var records = page.GetProperty("records").EnumerateArray().ToList();
            if (records.Count > 0)
            {
                after = records[^1].GetProperty("sequence").GetInt64();
            }

            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                return after;
            }
        }
    }

    private async Task<List<JsonElement>> Records(string query)
    {
        var response = await admin.Get("/api/audit?limit=1000&" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Json()).GetProperty("records").EnumerateArray()];
    }
}

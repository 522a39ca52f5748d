using System.Net;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>/api/compliance on a host with encryption at rest (a key ring given as WORKER_ENCRYPTION_KEYS) and 30-day retention.</summary>
public sealed class ComplianceRoutesTests : IAsyncLifetime
{
    private readonly SiloFactory factory = new(new Dictionary<string, string>
    {
        ["WORKER_ENCRYPTION_KEYS"] = EncryptionKeyRing.Create("k1", TimeProvider.System).ToJson(),
        ["WORKER_DATA_RETENTION"] = "30",
        ["WORKER_GDPR"] = "true",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Status_ReportsEveryControl_TheFlags_AndTheKeyRing_WithoutKeyMaterial()
    {
        using var viewer = factory.Client(ApiRole.Viewer);
        var response = await viewer.Get("/api/compliance/status");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = await response.Json();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var encryption = status.GetProperty("encryption");
        Assert.True(encryption.GetProperty("enabled").GetBoolean());
        Assert.Equal("AES-256-GCM", encryption.Str("algorithm"));
        Assert.Equal("k1", encryption.Str("activeKey"));
        Assert.Equal("k1", Assert.Single(encryption.GetProperty("keys").EnumerateArray()).Str("id"));
        Assert.True(status.GetProperty("flags").GetProperty("gdpr").GetBoolean());
        Assert.True(status.GetProperty("flags").GetProperty("soc2").GetBoolean());
        Assert.False(status.GetProperty("flags").GetProperty("hipaa").GetBoolean());
        Assert.Equal(30, status.GetProperty("retention").GetProperty("days").GetInt32());
        var controls = status.GetProperty("controls").EnumerateArray().ToDictionary(c => c.Str("name"));
        Assert.Equal(["gdpr", "soc2"], controls["audit-log"].GetProperty("requiredBy").EnumerateArray().Select(e => e.GetString()));
        Assert.True(controls["retention"].GetProperty("active").GetBoolean());
        Assert.DoesNotContain("\"key\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataSubject_TravelsAsAHeader_AndErasingIt_RemovesThePayloadAndResult()
    {
        using var admin = factory.Client(ApiRole.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/workers", $$"""{"name":"gdpr-worker","queueName":"q-gdpr-http","processor":"{{SiloFactory.EnvelopeProcessor}}"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/workers/gdpr-worker/start")).StatusCode);
        var id = (await (await admin.PostJson("/api/queues/q-gdpr-http/jobs", """{"payload":{"email":"erin@example.com"},"dataSubject":"customer-4711"}""")).Json()).Str("id");
        var other = (await (await admin.PostJson("/api/queues/q-gdpr-http/jobs", """{"payload":{"email":"frank@example.com"},"dataSubject":"customer-9"}""")).Json()).Str("id");
        var done = await Eventually.Get(async () => await (await admin.Get($"/api/queues/q-gdpr-http/jobs/{id}")).Json(), j => j.Str("state") == "completed", "the job completed");
        Assert.Equal("customer-4711", done.GetProperty("result").GetProperty("data-subject").GetString());
        Assert.Equal("customer-4711", done.GetProperty("headers").GetProperty("data-subject").GetString());

        var erased = await admin.Delete("/api/compliance/subjects/customer-4711");
        var body = await erased.Json();
        var after = await (await admin.Get($"/api/queues/q-gdpr-http/jobs/{id}")).Json();
        var kept = await Eventually.Get(async () => await (await admin.Get($"/api/queues/q-gdpr-http/jobs/{other}")).Json(), j => j.Str("state") == "completed", "the other job completed");

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(1, body.GetProperty("jobs").GetInt32());
        Assert.Equal(1, body.GetProperty("anonymised").GetInt32());
        Assert.DoesNotContain("customer-4711", body.ToString(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("payload").ValueKind);
        Assert.DoesNotContain("erin", after.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("customer-4711", after.ToString(), StringComparison.Ordinal);
        Assert.Equal("completed", after.Str("state"));
        Assert.Contains("frank@example.com", kept.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"payload":{},"dataSubject":""}""")]
    [InlineData("""{"payload":{},"dataSubject":"a\nb"}""")]
    [InlineData("""{"payload":{},"dataSubject":"x","headers":{"data-subject":"y"}}""")]
    public async Task ABadDataSubject_Is400_WithAStableCode(string body)
    {
        using var op = factory.Client(ApiRole.Operator);
        var response = await op.PostJson("/api/queues/q-gdpr-bad/jobs", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(WorkersErrorCodes.InvalidDataSubject, (await response.Json()).Str("code"));
        using var admin = factory.Client(ApiRole.Admin);
        var erase = await admin.Delete("/api/compliance/subjects/" + new string('x', ComplianceApi.MaxSubjectLength + 1));
        Assert.Equal(HttpStatusCode.BadRequest, erase.StatusCode);
    }

    [Fact]
    public async Task Reencrypt_StartsASweepUnderTheActiveKey_ThatFinishes()
    {
        using var admin = factory.Client(ApiRole.Admin);
        await admin.PostJson("/api/queues/q-reencrypt-http/jobs", """{"payload":{"n":1}}""");
        var started = await admin.Post("/api/compliance/encryption/reencrypt");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("k1", (await started.Json()).GetProperty("sweep").Str("keyId"));
        var status = await Eventually.Get(
            async () => await (await admin.Get("/api/compliance/status")).Json(),
            s => s.GetProperty("encryption").GetProperty("sweep").TryGetProperty("finishedAt", out var f) && f.ValueKind == System.Text.Json.JsonValueKind.String,
            "the sweep finishes");
        Assert.True(status.GetProperty("encryption").GetProperty("sweep").GetProperty("records").GetInt64() >= 1);

        var retention = await admin.Post("/api/compliance/retention/run");
        Assert.Equal(HttpStatusCode.OK, retention.StatusCode);
        Assert.Equal(0, (await retention.Json()).GetProperty("run").GetProperty("deleted").GetInt64());
    }
}

/// <summary>Compliance routes on the shared host, which has no key ring.</summary>
[Collection(nameof(SiloCollection))]
public sealed class ComplianceWithoutEncryptionTests(SiloFixture fixture)
{
    [Fact]
    public async Task Reencrypt_WithoutAKeyRing_Is409_EncryptionDisabled()
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        var response = await admin.Post("/api/compliance/encryption/reencrypt");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(WorkersErrorCodes.EncryptionDisabled, (await response.Json()).Str("code"));
        var status = await (await admin.Get("/api/compliance/status")).Json();
        Assert.False(status.GetProperty("encryption").GetProperty("enabled").GetBoolean());
        Assert.Equal(90, status.GetProperty("retention").GetProperty("days").GetInt32());
    }
}

using System.Net;
using System.Net.Http.Json;

namespace ZinTrust.Workers.Integration.Tests.Packaging;

/// <summary>
/// The server as a library: the sample (samples/ZinTrust.Workers.ServerSample, a few lines over ZinTrust.Workers.Server) runs
/// as its own process and serves the whole surface, with its own processor.
/// </summary>
public sealed class ServerSampleTests(ServerSampleTests.Sample sample) : IClassFixture<ServerSampleTests.Sample>
{
    /// <summary>The sample's build output, run like the shipped silo (production settings, an API key ring, memory backends).</summary>
    public sealed class Sample : SiloProcess
    {
        protected override string HostDll => Path.Combine(
            Repository.Root, "samples", "ZinTrust.Workers.ServerSample", "bin", Repository.BuildConfiguration, "net10.0", "ZinTrust.Workers.ServerSample.dll");
    }

    [Fact]
    public async Task TheSample_RunsAJobOnItsOwnProcessor_CreatedThroughItsRestApi()
    {
        await sample.PostJsonAsync("/api/workers", new { name = "invoices", queueName = "invoices", processor = "render-invoice", concurrency = 2 });
        await sample.PostJsonAsync("/api/workers/invoices/start", new { });
        var ack = await sample.PostJsonAsync("/api/queues/invoices/jobs", new { payload = new { number = "INV-7", lines = new[] { 12.5m, 30m } } });
        var id = ack.GetProperty("id").GetString()!;

        var job = await Eventually.Get(() => sample.GetJsonAsync($"/api/queues/invoices/jobs/{id}"), j => j.GetProperty("state").GetString() is "completed" or "failed", $"job {id} settles", TimeSpan.FromSeconds(60));

        Assert.True(job.GetProperty("state").GetString() == "completed", job.ToString());
        Assert.Equal(42.5m, job.GetProperty("result").GetProperty("total").GetDecimal());
        Assert.Equal("INV-7", job.GetProperty("result").GetProperty("number").GetString());
        var logs = await sample.GetJsonAsync($"/api/queues/invoices/jobs/{id}/logs");
        Assert.Contains("rendering invoice INV-7", logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSample_ServesTheWholeSurface_BehindItsKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = new HttpClient { BaseAddress = new Uri(sample.Url) };

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/workers", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sample.Http.GetAsync("/api/workers", ct)).StatusCode);
        var openApi = await sample.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json", ct);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/workers", out _));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ui/signin", ct)).StatusCode);         // the console's sign-in page
        Assert.Equal(HttpStatusCode.OK, (await sample.Http.GetAsync("/dashboard/", ct)).StatusCode);     // the Orleans dashboard
    }
}

using System.Net;

namespace ZinTrust.Workers.Silo.Tests;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AreServed_WhenPrometheusIsEnabled_AndCountJobs()
    {
        await using var factory = new SiloFactory(new Dictionary<string, string> { ["WORKER_PROMETHEUS_ENABLED"] = "true" });
        var client = factory.Client();
        await client.PostJson("/api/workers", new { name = "metrics-w", queueName = "metrics-q", processor = "echo" });
        await client.Post("/api/workers/metrics-w/start");
        var id = (await (await client.PostJson("/api/queues/metrics-q/jobs", """{"payload":{}}""")).Json()).Str("id");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await (await client.Get($"/api/queues/metrics-q/jobs/{id}")).Json()).Str("state") != "completed")
        {
            Assert.True(DateTime.UtcNow < deadline, "the job did not complete");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        string text = "";
        while (!text.Contains("zintrust_jobs_completed", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no zintrust_jobs_completed in /metrics: {text[..Math.Min(text.Length, 500)]}");
            var response = await client.Get("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }

        Assert.Contains("queue=\"metrics-q\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AreNotServed_ByDefault()
    {
        await using var factory = new SiloFactory();
        var client = factory.Client();

        Assert.Equal(HttpStatusCode.NotFound, (await client.Get("/metrics")).StatusCode);
    }
}

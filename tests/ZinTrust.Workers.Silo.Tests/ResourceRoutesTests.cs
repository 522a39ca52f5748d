using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>A host with unit prices and a one-second resource interval (the monitor is a cluster singleton, so these tests share it in order).</summary>
public sealed class PricedSiloFixture : IAsyncLifetime
{
    public SiloFactory Factory { get; } = new(new Dictionary<string, string>
    {
        ["WORKER_RESOURCE_MONITORING_INTERVAL"] = "1",
        ["WORKER_COST_PER_CORE_HOUR"] = "0.04",
        ["WORKER_COST_PER_GB_HOUR"] = "0.005",
        ["WORKER_COST_CURRENCY"] = "EUR",
        ["WORKER_SPOT_INSTANCES"] = "true",
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

/// <summary>/api/resources and the summary's costs through the real HTTP pipeline.</summary>
public sealed class ResourceRoutesTests(PricedSiloFixture fixture) : IClassFixture<PricedSiloFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Monitor_RunsOnceAWorkerAsksForIt_SnapshotsTheSilo_AndPricesTheWorker()
    {
        await CreateMonitoredWorker("priced-worker");
        (await Client.Post("/api/workers/priced-worker/start")).EnsureSuccessStatusCode();
        // Another test of this class may have left the monitor running for its own worker: wait for this one's request too.
        var status = await Poll(
            "/api/resources",
            s => s.GetProperty("running").GetBoolean() && s.GetProperty("silos").GetArrayLength() == 1
                && s.GetProperty("requestingWorkers").EnumerateArray().Any(e => e.GetString() == "priced-worker"),
            "monitoring runs with a snapshot, at this worker's request");
        Assert.Equal("running", status.Str("reason"));
        Assert.Equal(1, status.GetProperty("intervalSeconds").GetDouble());
        var snapshot = status.GetProperty("silos")[0];
        foreach (var member in new[] { "cpuPercent", "processCpuPercent", "memoryUsedBytes", "memoryTotalBytes", "memoryLoadBytes", "memoryPercent", "workingSetBytes", "gcHeapBytes", "gen0Collections", "gcPauseTimePercentage", "threadPoolThreads", "threadPoolQueueLength", "activations" })
        {
            Assert.True(snapshot.GetProperty(member).ValueKind == JsonValueKind.Number, member);
        }

        Assert.Equal(1, snapshot.GetProperty("periodSeconds").GetDouble());

        // Disk and network throughput: from a silo's second snapshot on, where the platform tells (Linux's /proc), else null.
        var io = new ProcIoCounters().Read();
        string[] rates = ["diskReadBytesPerSecond", "diskWriteBytesPerSecond", "networkReceiveBytesPerSecond", "networkTransmitBytesPerSecond"];
        bool told = io.DiskReadBytes is not null && io.Network is not null;
        var measured = await Poll(
            "/api/resources",
            s => s.GetProperty("silos").GetArrayLength() == 1 && (!told || rates.All(r => s.GetProperty("silos")[0].GetProperty(r).ValueKind == JsonValueKind.Number)),
            "a snapshot with disk and network rates");
        var resources = (await (await Client.Get("/api/workers/system/summary")).Json()).GetProperty("summary").GetProperty("resources");
        foreach (var rate in rates)
        {
            var kind = told ? JsonValueKind.Number : JsonValueKind.Null;
            Assert.Equal(kind, measured.GetProperty("silos")[0].GetProperty(rate).ValueKind);
            Assert.Equal(kind, resources.GetProperty(rate).ValueKind);
            Assert.True(!told || resources.GetProperty(rate).GetDouble() >= 0, rate);
        }

        // Once a snapshot saw the worker's replica, the estimate attributes compute to it.
        var costs = await Poll(
            "/api/resources/costs",
            c => c.GetProperty("costs").GetProperty("workers").EnumerateArray().Any(w => w.Str("worker") == "priced-worker"),
            "a cost estimate for the worker");
        var detail = costs.GetProperty("costs");
        Assert.True(costs.GetProperty("configured").GetBoolean());
        Assert.Equal("EUR", detail.Str("currency"));
        Assert.Equal(24, detail.GetProperty("windowHours").GetDouble());
        Assert.True(detail.GetProperty("spotInstances").GetBoolean());
        Assert.Equal(0.7, detail.GetProperty("spotDiscount").GetDouble());
        Assert.True(detail.GetProperty("compute").GetDouble() > 0);

        var summary = (await (await Client.Get("/api/workers/system/summary")).Json()).GetProperty("summary").GetProperty("costs");
        Assert.Equal("EUR", summary.Str("currency"));
        Assert.Equal(24, summary.GetProperty("windowHours").GetDouble());
        Assert.Equal(0, summary.GetProperty("storage").GetDouble());
        Assert.True(summary.GetProperty("compute").GetDouble() > 0);
        Assert.Equal(summary.GetProperty("compute").GetDouble() + summary.GetProperty("storage").GetDouble(), summary.GetProperty("total").GetDouble(), 3);

        var history = await (await Client.Get("/api/resources/history?limit=1")).Json();
        Assert.Equal(1, history.GetProperty("count").GetInt32());
        var silo = history.GetProperty("snapshots")[0].Str("silo");
        var ofSilo = await (await Client.Get($"/api/resources/history?silo={Uri.EscapeDataString(silo)}&hours=1")).Json();
        Assert.True(ofSilo.GetProperty("count").GetInt32() >= 1);
        Assert.All(ofSilo.GetProperty("snapshots").EnumerateArray(), s => Assert.Equal(silo, s.Str("silo")));
        Assert.Equal(0, (await (await Client.Get("/api/resources/history?silo=no-such-silo")).Json()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task StopAndStart_AnswerTheSeedsMessages_AndTheStatusFollowsAtOnce()
    {
        await CreateMonitoredWorker("switch-worker");
        using var op = fixture.Factory.Client(ApiRole.Operator);

        var stopped = await op.Post("/api/resources/stop");
        var stopBody = await stopped.Json();
        var afterStop = await (await Client.Get("/api/resources")).Json();
        var started = await op.Post("/api/resources/start");
        var startBody = await started.Json();
        var afterStart = await (await Client.Get("/api/resources")).Json();

        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.True(stopBody.GetProperty("ok").GetBoolean());
        Assert.Equal("Resource monitoring stopped", stopBody.Str("message"));
        Assert.Equal("stopped-by-operator", stopBody.Str("reason"));
        Assert.False(afterStop.GetProperty("running").GetBoolean());
        Assert.True(afterStop.GetProperty("stoppedByOperator").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.True(startBody.GetProperty("ok").GetBoolean());
        Assert.Equal("Resource monitoring started", startBody.Str("message"));
        Assert.True(startBody.GetProperty("running").GetBoolean());
        Assert.Equal("running", afterStart.Str("reason"));
        Assert.False(afterStart.GetProperty("stoppedByOperator").GetBoolean());
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("hours=0")]
    [InlineData("hours=1&from=2026-01-01T00:00:00Z")]
    [InlineData("limit=0")]
    [InlineData("limit=10001")]
    [InlineData("silo=%01")]
    public async Task History_WithABadQuery_IsA400(string query)
    {
        var response = await Client.Get("/api/resources/history?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_QUERY", (await response.Json()).Str("code"));
    }

    private async Task CreateMonitoredWorker(string name)
    {
        var response = await Client.PostJson("/api/workers", new { name, queueName = "q-" + name, processor = "echo", features = new { resourceMonitoring = true } });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private async Task<JsonElement> Poll(string path, Func<JsonElement, bool> done, string expectation) =>
        await Eventually.Get(async () => await (await Client.Get(path)).Json(), done, expectation);
}

/// <summary>The monitor when WORKER_RESOURCE_MONITORING=false, and the summary without prices.</summary>
public sealed class ResourceGateRoutesTests
{
    [Fact]
    public async Task EnvironmentGate_BlocksTheMonitor_AndAStartIsRefusedWithItsCode()
    {
        await using var factory = new SiloFactory(new Dictionary<string, string> { ["WORKER_RESOURCE_MONITORING"] = "false" });
        using var client = factory.Client();
        (await client.PostJson("/api/workers", new { name = "blocked-worker", queueName = "q-blocked", processor = "echo", features = new { resourceMonitoring = true } })).EnsureSuccessStatusCode();

        var status = await (await client.Get("/api/resources")).Json();
        var start = await client.Post("/api/resources/start");
        var stop = await client.Post("/api/resources/stop");
        var costs = await (await client.Get("/api/resources/costs")).Json();
        var summary = (await (await client.Get("/api/workers/system/summary")).Json()).GetProperty("summary");

        Assert.False(status.GetProperty("running").GetBoolean());
        Assert.Equal("disabled-by-environment", status.Str("reason"));
        Assert.False(status.GetProperty("environmentEnabled").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
        Assert.Equal("RESOURCE_MONITORING_DISABLED", (await start.Json()).Str("code"));
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.False(costs.GetProperty("configured").GetBoolean());
        Assert.Equal(JsonValueKind.Null, costs.GetProperty("costs").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("costs").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("resources").GetProperty("diskReadBytesPerSecond").ValueKind);   // no monitor, no rates
    }
}

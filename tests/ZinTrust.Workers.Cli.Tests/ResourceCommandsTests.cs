using System.Text.Json;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>A silo with unit prices (USD) and a one-second resource interval.</summary>
public sealed class PricedSiloProcess : SiloProcess
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["WORKER_RESOURCE_MONITORING_INTERVAL"] = "1",
        ["WORKER_COST_PER_CORE_HOUR"] = "0.0425",
        ["WORKER_COST_PER_GB_HOUR"] = "0.0047",
    };
}

/// <summary><c>zin rm start|stop</c> and the summary's costs against a real silo process.</summary>
public sealed class ResourceCommandsTests(PricedSiloProcess silo) : IClassFixture<PricedSiloProcess>
{
    [Fact]
    public async Task ResourceMonitor_StopAndStart_PrintTheSeedsLines_AndTheServiceFollows_AndTheSummaryShowsCosts()
    {
        await silo.PostJsonAsync("/api/workers", new { name = "cli-costed", queueName = "cli-costed-q", processor = "echo", features = new { resourceMonitoring = true } });
        await silo.PostJsonAsync("/api/workers/cli-costed/start", new { });
        await Eventually.True(async () => (await silo.GetJsonAsync("/api/resources")).GetProperty("silos").GetArrayLength() == 1, "a first snapshot");

        var stop = await Cli.RunAsync(["rm", "stop", .. silo.Target]);
        var stopped = await silo.GetJsonAsync("/api/resources");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal([$"[INFO] Sending stop request to {silo.Url}/api/resources/stop...", "[INFO] Success: Resource monitoring stopped"], stop.OutputLines);
        Assert.Empty(stop.Error);
        Assert.False(stopped.GetProperty("running").GetBoolean());
        Assert.Equal("stopped-by-operator", stopped.GetProperty("reason").GetString());

        // Stopped, the history stands still, so the CLI and the service see the same estimate.
        var summary = await Cli.RunAsync(["worker:summary", .. silo.Target]);
        var costs = (await silo.GetJsonAsync("/api/workers/system/summary")).GetProperty("summary").GetProperty("costs");

        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Equal(
            ["Costs (24h):", $"  Compute: {Dollars(costs, "compute")}", $"  Storage: {Dollars(costs, "storage")}", $"  Total: {Dollars(costs, "total")}"],
            summary.OutputLines[^4..]);
        Assert.Equal("Resources:", summary.OutputLines[^7]);

        var start = await Cli.RunAsync(["resource:monitor", "start", "--host", "127.0.0.1", .. silo.Target]);
        var started = await silo.GetJsonAsync("/api/resources");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal([$"[INFO] Sending start request to {silo.Url}/api/resources/start...", "[INFO] Success: Resource monitoring started"], start.OutputLines);
        Assert.True(started.GetProperty("running").GetBoolean());
        Assert.False(started.GetProperty("stoppedByOperator").GetBoolean());

        // Running again, the summary shows the seed's Disk I/O line (read + write) and the network, where the platform tells.
        if (new ZinTrust.Workers.Grains.ProcIoCounters().Read() is { DiskReadBytes: not null, Network: not null })
        {
            await Eventually.True(
                async () => (await silo.GetJsonAsync("/api/workers/system/summary")).GetProperty("summary").GetProperty("resources").GetProperty("diskReadBytesPerSecond").ValueKind == JsonValueKind.Number,
                "the summary has disk rates");
            var withRates = await Cli.RunAsync(["worker:summary", .. silo.Target]);
            Assert.True(withRates.ExitCode == 0, withRates.ToString());
            Assert.Contains(withRates.OutputLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  Disk I/O: \d+(\.\d)? [KMGT]?B/s$"));
            Assert.Contains(withRates.OutputLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  Network: \d+(\.\d)? [KMGT]?B/s in, \d+(\.\d)? [KMGT]?B/s out$"));
        }
    }

    private static string Dollars(JsonElement costs, string member) => Formats.Money(costs.GetProperty(member).GetDouble(), "USD");
}

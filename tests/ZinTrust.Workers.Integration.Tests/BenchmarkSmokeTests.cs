using ZinTrust.Workers.Benchmarks;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>A small run of the benchmark (the out-of-process scenarios start the silo host as a process of their own), so the
/// harness keeps working. It asserts completeness, never a time.</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task SmokeRun_CompletesEveryJob_AndReportsEveryScenario()
    {
        var suite = new BenchmarkSuite(BenchmarkSettings.Smoke(RealServers.Redis), _ => { });

        await suite.RunAsync(TestContext.Current.CancellationToken);

        Assert.True(suite.JobsExpected > 0);
        Assert.Equal(suite.JobsExpected, suite.JobsCompleted);
        string[] scenarios =
        [
            "enqueue, 1 producer", "enqueue, 32 concurrent", "enqueue, batches", "end to end", "latency at", "growth", "memory,", "idle",
            "client process, 64 EnqueueAsync", "client process, end to end", "client process, paced", "client process, EnqueueManyAsync",
            "REST, 32 connections, GET /health/live", "REST, 32 connections, GET /api/queues", "REST, 32 connections, POST",
            "REST enqueue / HTTP ceiling", "REST, 4 connections, batches of 1000, end to end", "REST, 4 connections, POST batches",
            "one queue in partitions, end to end", "fed in singles, end to end",
        ];
        Assert.All(scenarios, s => Assert.Contains(suite.Results, r => r.Scenario.StartsWith(s, StringComparison.Ordinal)));
        Assert.Contains(suite.Results, r => r.Store == "memory");
    }
}

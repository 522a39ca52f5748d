using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>
/// The seed's blocks for answers this build's service does not give yet (health scores, resources, costs) and
/// the number formats; what the real service gives is covered by the tests that run it.
/// </summary>
public sealed class OutputTests
{
    [Fact]
    public void Summary_WithHealthResourcesAndCosts_PrintsTheSeedsSections()
    {
        var lines = Render(WorkerSummaryCommand.Render, """
            {"ok":true,"summary":{"total":12,"running":10,"stopped":2,"failed":0,"transitioning":0,"inactive":0,
             "waiting":40,"delayed":3,"active":7,"deadLettered":1,"averageHealth":96.4,
             "resources":{"cpuPercent":45,"memoryUsedBytes":2469606195,"memoryTotalBytes":8589934592,
               "diskReadBytesPerSecond":94371840,"diskWriteBytesPerSecond":31457280,"networkReceiveBytesPerSecond":524288,"networkTransmitBytesPerSecond":900},
             "costs":{"compute":12.45,"storage":0.89,"total":13.34,"currency":"USD"}}}
            """);

        Assert.Equal(
            [
                "Worker Management System Summary",
                "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━",
                "Workers: 12 total (10 active, 2 stopped)",
                "Health: Excellent (avg 96/100)",
                "Jobs: 40 waiting, 3 delayed, 7 active, 1 dead-lettered",
                "Resources:",
                "  CPU: 45%",
                "  Memory: 2.3 GB / 8.0 GB",
                "  Disk I/O: 120.0 MB/s",
                "  Network: 512.0 KB/s in, 900 B/s out",
                "Costs (24h):",
                "  Compute: $12.45",
                "  Storage: $0.89",
                "  Total: $13.34",
            ],
            lines);
    }

    [Fact]
    public void Summary_WithNullOrMissingOptionalMembers_LeavesTheirSectionsOut()
    {
        var lines = Render(WorkerSummaryCommand.Render, """
            {"ok":true,"summary":{"total":3,"running":1,"stopped":1,"failed":1,"transitioning":0,"inactive":2,
             "averageHealth":null,"resources":null,"costs":{"currency":"EUR","total":1.5}}}
            """);

        Assert.Equal(
            [
                "Worker Management System Summary",
                "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━",
                "Workers: 3 total (1 active, 1 stopped, 1 failed, 2 inactive)",
                "Jobs: 0 waiting, 0 delayed, 0 active, 0 dead-lettered",
                "Costs (24h):",
                "  Total: 1.50 EUR",
            ],
            lines);
    }

    [Fact]
    public void Summary_WithoutRates_LeavesTheDiskAndNetworkLinesOut()
    {
        var lines = Render(WorkerSummaryCommand.Render, """
            {"ok":true,"summary":{"total":1,"running":1,"stopped":0,
             "resources":{"cpuPercent":5,"memoryUsedBytes":1048576,"memoryTotalBytes":2097152,
               "diskReadBytesPerSecond":null,"diskWriteBytesPerSecond":null,"networkReceiveBytesPerSecond":null,"networkTransmitBytesPerSecond":null}}}
            """);

        Assert.Equal(["Resources:", "  CPU: 5%", "  Memory: 1.0 MB / 2.0 MB"], lines[^3..]);
    }

    [Fact]
    public void MetricsByPeriod_PrintsARowPerPeriod_AndWhatIsKept()
    {
        var lines = Render(WorkerMetricsCommand.RenderPeriods, """
            {"ok":true,"name":"email-sender","period":"hour","retention":48,"count":2,"collectedAt":"2026-01-31T14:20:00+00:00",
             "savedAt":"2026-01-31T14:19:30+00:00","percentileRelativeError":0.05,"buckets":[
              {"start":"2026-01-31T13:00:00+00:00","end":"2026-01-31T14:00:00+00:00","completed":1234,"failed":12,"runs":1246,"retried":9,
               "deadLettered":3,"successRate":99.0,"averageMs":1234.5,"minMs":3.1,"maxMs":8100,"p50Ms":350,"p95Ms":2100,"p99Ms":4400,"updatedAt":"2026-01-31T13:59:40+00:00"},
              {"start":"2026-01-31T14:00:00+00:00","end":"2026-01-31T15:00:00+00:00","completed":0,"failed":0,"runs":0,"retried":0,
               "deadLettered":0,"successRate":null,"averageMs":null,"minMs":null,"maxMs":null,"p50Ms":null,"p95Ms":null,"p99Ms":null,"updatedAt":"2026-01-31T14:20:00+00:00"}]}
            """);

        Assert.Equal("Worker Metrics by hour: email-sender (UTC)", lines[0]);
        Assert.Matches(@"^│ Period\s+│ Runs\s+│ Completed │ Failed │ Success │ Retried │ Dead │ Avg\s+│ p50\s+│ p95\s+│ p99\s+│ Max\s+│$", lines.Single(l => l.Contains("Period", StringComparison.Ordinal)));
        Assert.Matches(@"^│ 2026-01-31 13:00 │ 1,246 │ 1,234\s+│ 12\s+│ 99\.0%\s+│ 9\s+│ 3\s+│ 1\.2s │ 350ms │ 2\.1s │ 4\.4s │ 8\.1s │$", lines.Single(l => l.Contains("13:00", StringComparison.Ordinal)));
        Assert.Matches(@"^│ 2026-01-31 14:00 │ 0\s+│ 0\s+│ 0\s+│ -\s+│ 0\s+│ 0\s+│ -\s+│ -\s+│ -\s+│ -\s+│ -\s+│$", lines.Single(l => l.Contains("14:00", StringComparison.Ordinal)));
        Assert.Equal("48 hours kept; run times within 5 %; saved 2026-01-31 14:19:30 UTC", lines[^1]);
    }

    [Fact]
    public void MetricsByPeriod_WithoutBuckets_SaysWhy_AndMonthsReadAsMonths()
    {
        Assert.Equal(
            ["Worker Metrics by day: idle (UTC)", new string('━', 33), "No daily metrics yet: they are collected while the worker runs.", "62 days kept; run times within 5 %"],
            Render(WorkerMetricsCommand.RenderPeriods, """{"ok":true,"name":"idle","period":"day","retention":62,"count":0,"savedAt":null,"percentileRelativeError":0.05,"buckets":[]}"""));
        var months = Render(WorkerMetricsCommand.RenderPeriods, """
            {"name":"m","period":"month","retention":24,"buckets":[{"start":"2026-02-01T00:00:00+00:00","runs":1,"completed":1,"failed":0,"successRate":100}]}
            """);
        Assert.Contains(months, l => l.StartsWith("│ 2026-02 ", StringComparison.Ordinal));
    }

    [Fact]
    public void LiveMetrics_PrintCountersRunTimesAndThroughput()
    {
        var lines = Render(WorkerMetricsCommand.RenderLive, """
            {"name":"email-sender","completed":1234,"failed":12,"successRate":99.0,"averageDurationMs":1234.5,"p50Ms":350,"p95Ms":2100,
             "p99Ms":null,"inFlight":2,"throughputPerMinute":12.5,"retried":9,"deadLettered":3,"stalled":0,"queue":null}
            """);

        Assert.Equal(
            [
                "Worker Metrics: email-sender",
                new string('━', 28),
                "Jobs Completed: 1,234",
                "Jobs Failed: 12",
                "Success Rate: 99.0%",
                "Avg Duration: 1.2s",
                "p50 / p95 / p99: 350ms / 2.1s / n/a",
                "Throughput: 12.5/min",
                "Retried: 9",
                "Dead-lettered: 3",
                "In Flight: 2",
            ],
            lines);
    }

    [Theory]
    [InlineData(96, "Excellent")]
    [InlineData(90, "Excellent")]
    [InlineData(89.9, "Good")]
    [InlineData(75, "Good")]
    [InlineData(50, "Fair")]
    [InlineData(49, "Poor")]
    public void Summary_GradesAverageHealth_AsTheSeedDoes(double health, string grade) =>
        Assert.Equal(grade, WorkerSummaryCommand.Grade(health));

    [Fact]
    public void Status_WithAHealthScore_PrintsItOutOf100()
    {
        var lines = Render(WorkerStatusCommand.Render, """
            {"name":"email-sender","status":"running","version":"1.0.0","queueName":"emails","concurrency":5,
             "completed":1234,"failed":12,"successRate":99.0,"averageDurationMs":1234.5,"inFlight":5,
             "health":{"healthy":true,"message":null,"checkedAt":null},"lastError":null,"replicas":[],"queue":null,"healthScore":95}
            """);

        Assert.Equal(
            [
                "Worker Status: email-sender",
                "━━━━━━━━━━━━━━━━━━━━━━━━━━━",
                "Status: ✓ Active",
                "Health: 95/100",
                "Version: 1.0.0",
                "Queue: emails",
                "Concurrency: 5/5",
                "Metrics:",
                "  Jobs Completed: 1,234",
                "  Jobs Failed: 12",
                "  Success Rate: 99.0%",
                "  Avg Duration: 1.2s",
            ],
            lines);
    }

    [Theory]
    [InlineData("""{"health":{"healthy":true}}""", "healthy")]
    [InlineData("""{"health":{"healthy":false,"message":"SMTP down"}}""", "unhealthy (SMTP down)")]
    [InlineData("""{"health":{"healthy":false}}""", "unhealthy")]
    [InlineData("""{"health":{"healthy":null}}""", "unknown")]
    [InlineData("""{}""", "unknown")]
    [InlineData("""{"healthScore":72.6,"health":{"healthy":false}}""", "73/100")]
    public void Status_Health_ReadsTheScoreOrTheLastCheck(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected, WorkerStatusCommand.Health(document.RootElement));
    }

    [Fact]
    public void Status_OfAFailedWorker_ShowsItsLastError()
    {
        var lines = Render(WorkerStatusCommand.Render, """{"name":"w1","status":"failed","lastError":"processor 'x' not found","completed":0,"failed":0,"successRate":null}""");

        Assert.Contains("Status: ✗ Failed", lines);
        Assert.Contains("Last Error: processor 'x' not found", lines);
    }

    [Fact]
    public void Status_OfAWorkerFailedByItsHealthCheck_ShowsWhySinceWhen_AndHowToRecover()
    {
        var lines = Render(WorkerStatusCommand.Render, """
            {"name":"email-sender","status":"failed","lastError":"Health check 'EmailHealthCheck' failed 2 times in a row on replica email-sender/0: smtp refused",
             "completed":0,"failed":0,"successRate":null,
             "failure":{"code":"HEALTH_CHECK_FAILED","reason":"Health check 'EmailHealthCheck' failed 2 times in a row on replica email-sender/0: smtp refused","at":"2026-01-01T00:00:00+00:00"}}
            """);

        Assert.Contains("Status: ✗ Failed", lines);
        Assert.Contains("Last Error: Health check 'EmailHealthCheck' failed 2 times in a row on replica email-sender/0: smtp refused", lines);
        Assert.Contains("Failed Since: 2026-01-01T00:00:00+00:00 (HEALTH_CHECK_FAILED)", lines);
        Assert.Contains("Recovery: zin worker:restart email-sender", lines);
    }

    [Theory]
    [InlineData(349.6, "350ms")]
    [InlineData(0.4, "0ms")]
    [InlineData(999.4, "999ms")]
    [InlineData(1000, "1.0s")]
    [InlineData(1234, "1.2s")]
    [InlineData(61000, "61.0s")]
    public void Duration_ReadsInMillisecondsUnderASecond_ElseSeconds(double milliseconds, string expected) =>
        Assert.Equal(expected, Formats.Duration(milliseconds));

    [Fact]
    public void WorkerList_PrintsInactiveWorkers_AndThePage()
    {
        var lines = Render(WorkerListCommand.Render, """
            {"workers":[{"name":"old-worker","queueName":"q1","version":"1.5.0","status":"stopped","activeStatus":false,"concurrency":10}],
             "pagination":{"page":2,"limit":1,"total":3,"totalPages":3,"hasNext":true,"hasPrev":true}}
            """);

        Assert.Contains(lines, l => l.StartsWith("│ old-worker │ stopped (inactive) │ 1.5.0", StringComparison.Ordinal));
        Assert.Equal("Page 2 of 3 (3 workers)", lines[^1]);
    }

    [Fact]
    public void WorkerShow_FlattensNestedFields_AndReadsNullsAsDashes()
    {
        using var document = JsonDocument.Parse("""{"name":"w","jobOptions":{"backoff":{"type":"fixed"}},"features":{},"tags":["a","b"],"lastError":null}""");

        var fields = WorkerShowCommand.Flatten(document.RootElement, "").ToArray();

        Assert.Equal([("name", "w"), ("jobOptions.backoff.type", "fixed"), ("features", "-"), ("tags", "a, b"), ("lastError", "-")], fields);
    }

    [Fact]
    public void Scaling_OfAnAutoScaledWorker_ShowsItsBounds()
    {
        var lines = Render(ScalingCommands.Render, """
            {"ok":true,"name":"w1","autoScaled":true,"replicas":3,"bounds":{"minReplicas":1,"maxReplicas":8,"scaleUpThreshold":100,"scaleDownThreshold":10,"cooldownMs":60000},
             "overrideUntil":null,"lastChangeAt":null,"decisions":[]}
            """);

        Assert.Equal(
            ["Worker w1: 3 replica(s); auto-scaled: yes (1 to 8 replicas, up above 100 waiting, down below 10, cooldown 60.0s)", "No manual override", "No scaling decisions yet."],
            lines);
    }

    [Fact]
    public void Job_Completed_ShowsItsResultAsJson_AndNoError()
    {
        var lines = Render(JobCommands.Render, """
            {"id":"j1","queue":"emails","name":null,"state":"completed","attempts":1,"maxAttempts":3,"progress":100,"result":{"sent":true},"error":null,
             "failureReason":null,"createdAt":"2026-01-01T00:00:00+00:00","runAt":null,"startedAt":"2026-01-01T00:00:01+00:00","finishedAt":"2026-01-01T00:00:02+00:00","version":"1.0.0"}
            """);

        Assert.Equal(
            ["Job: j1", "━━━━━━━", "Queue: emails", "State: completed", "Attempts: 1/3", "Progress: 100%", "Version: 1.0.0",
             "Created: 2026-01-01T00:00:00+00:00", "Started: 2026-01-01T00:00:01+00:00", "Finished: 2026-01-01T00:00:02+00:00", "Result: {\"sent\":true}"],
            lines);
    }

    [Fact]
    public void QueueList_WithoutQueues_SaysSo()
    {
        Assert.Equal(["No queues found."], Render(QueueCommands.Render, """{"ok":true,"queues":[]}"""));
    }

    private static string[] Render(Action<JsonElement, IAnsiConsole> render, string json)
    {
        using var writer = new StringWriter();
        using var document = JsonDocument.Parse(json);
        render(document.RootElement, CliConsole.Create(writer));
        return writer.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
    }
}

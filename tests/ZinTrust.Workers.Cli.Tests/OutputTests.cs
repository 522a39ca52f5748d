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
             "resources":{"cpuPercent":45,"memoryUsedBytes":2469606195,"memoryTotalBytes":8589934592},
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

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>The worker:* commands against a real silo process, checked against what the REST API says.</summary>
public sealed partial class WorkerCommandsTests(SiloProcess silo) : IClassFixture<SiloProcess>
{
    private Task<CliResult> Zin(params string[] args) => Cli.RunAsync([.. args, .. silo.Target]);

    [Fact]
    public async Task WorkerList_ShowsTheDemoWorker_InTheSeedsTable()
    {
        var result = await Zin("worker:list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.OutputLines, l => HeaderRow().IsMatch(l));
        Assert.Contains(result.OutputLines, l => DemoWorkerRow().IsMatch(l));
        Assert.StartsWith("┌", result.OutputLines[0], StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task WorkerList_ShowsARunningWorkerAsActive_AndFiltersByStatusAndQueue()
    {
        var name = await silo.CreateWorkerAsync("cli-list", "cli-list-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });

        var byQueue = await Zin("worker:list", "--queue", "cli-list-queue");
        var active = await Zin("worker:list", "--status", "active");
        var stopped = await Zin("worker:list", "--status", "stopped");
        var nothing = await Zin("worker:list", "--queue", "no-such-queue");

        Assert.True(byQueue.ExitCode == 0, byQueue.ToString());
        var row = Assert.Single(byQueue.OutputLines, l => l.Contains(name, StringComparison.Ordinal));
        Assert.Matches($@"^│ {name}\s+│ active\s+│ 2\.1\.0\s+│ cli-list-queue\s+│ 3\s+│$", row);
        Assert.DoesNotContain("demo-worker", byQueue.Output, StringComparison.Ordinal);
        Assert.Contains(name, active.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(name, stopped.Output, StringComparison.Ordinal);
        Assert.Equal(["No workers found."], nothing.OutputLines);
    }

    [Fact]
    public async Task WorkerList_Json_PrintsTheServicesJson()
    {
        var result = await Zin("worker:list", "--json", "--limit", "5", "--queue", "demo-queue");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.Contains(json.RootElement.GetProperty("workers").EnumerateArray(), w => w.GetProperty("name").GetString() == "demo-worker");
        Assert.Equal(5, json.RootElement.GetProperty("pagination").GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task WorkerList_PrintsThePage_WhenThereAreMorePages()
    {
        await silo.CreateWorkerAsync("cli-page", "cli-page-queue");

        var result = await Zin("worker:list", "--limit", "1", "--page", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^Page 2 of \d+ \(\d+ workers\)$", result.OutputLines[^1]);
    }

    [Fact]
    public async Task WorkerStatus_PrintsTheSeedsBlock_WithTheJobMetrics()
    {
        var name = await silo.CreateWorkerAsync("cli-status", "cli-status-queue", concurrency: 4);
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });
        var job = await silo.PostJsonAsync("/api/queues/cli-status-queue/jobs", new { payload = new { hello = "zin" } });
        await Eventually.Get(
            () => silo.GetJsonAsync($"/api/workers/{name}/status"),
            s => s.GetProperty("completed").GetInt64() == 1,
            $"job {job.GetProperty("id")} completed by {name}");

        // The health score comes with the first monitoring sample, taken when the worker starts.
        var status = await Eventually.Get(
            () => silo.GetJsonAsync($"/api/workers/{name}/status"),
            s => s.GetProperty("healthScore").ValueKind == System.Text.Json.JsonValueKind.Number,
            $"{name} has a health score");

        var result = await Zin("worker:status", name);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.OutputLines;
        Assert.Equal($"Worker Status: {name}", lines[0]);
        Assert.Matches("^━+$", lines[1]);
        Assert.Equal(
            ["Status: ✓ Active", $"Health: {status.GetProperty("healthScore").GetInt32()}/100", "Version: 2.1.0", "Queue: cli-status-queue", "Concurrency: 0/4", "Metrics:",
             "  Jobs Completed: 1", "  Jobs Failed: 0", "  Success Rate: 100.0%"],
            lines[2..11]);
        Assert.Matches(@"^  Avg Duration: (\d+ms|\d+\.\ds)$", lines[11]);
    }

    [Fact]
    public async Task WorkerStatus_OfAStoppedWorkerWithoutRuns_SaysStoppedAndNA()
    {
        var name = await silo.CreateWorkerAsync("cli-idle", "cli-idle-queue");

        var result = await Zin("worker:status", name);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Status: ✗ Stopped", result.OutputLines);
        Assert.Contains("  Success Rate: n/a", result.OutputLines);
        Assert.Contains("  Avg Duration: n/a", result.OutputLines);
    }

    [Fact]
    public async Task WorkerShow_PrintsTheDefinition_FieldByField()
    {
        var result = await Zin("worker:show", "demo-worker");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Worker: demo-worker", result.OutputLines[0]);
        Assert.Contains(result.OutputLines, l => Regex.IsMatch(l, @"^queueName\s+demo-queue\s*$"));
        Assert.Contains(result.OutputLines, l => Regex.IsMatch(l, @"^processor\s+demo\s*$"));
        Assert.Contains(result.OutputLines, l => Regex.IsMatch(l, @"^concurrency\s+2\s*$"));
        Assert.Contains(result.OutputLines, l => Regex.IsMatch(l, @"^jobOptions\.backoff\.type\s+\w+\s*$"));
    }

    [Fact]
    public async Task WorkerShow_Json_PrintsTheServicesJson()
    {
        var result = await Zin("worker:show", "demo-worker", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("demo-queue", json.RootElement.GetProperty("worker").GetProperty("queueName").GetString());
    }

    [Fact]
    public async Task WorkerStartStopRestart_ChangeTheStatus_AndPrintTheServicesMessage()
    {
        var name = await silo.CreateWorkerAsync("cli-life", "cli-life-queue");

        var start = await Zin("worker:start", name);
        var afterStart = await StatusOf(name, "running");
        var stop = await Zin("worker:stop", name);
        var afterStop = await StatusOf(name, "stopped");
        var restart = await Zin("worker:restart", name);
        var afterRestart = await StatusOf(name, "running");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal([$"Worker '{name}' started."], start.OutputLines);
        Assert.Equal("running", afterStart);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal([$"Worker '{name}' stopped."], stop.OutputLines);
        Assert.Equal("stopped", afterStop);
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Equal([$"Worker '{name}' restarted."], restart.OutputLines);
        Assert.Equal("running", afterRestart);
    }

    [Fact]
    public async Task WorkerVersionsAndActivate_ListRegisteredVersions_AndRollToOne()
    {
        var name = await silo.CreateWorkerAsync("cli-ver", "cli-ver-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });
        await silo.PostJsonAsync($"/api/workers/{name}/versions", new { version = "3.0.0", description = "Added retry logic", processor = "echo", concurrency = 4 });

        var before = await Zin("worker:versions", name);
        var activate = await Zin("worker:activate", name, "3.0.0");
        var after = await Zin("worker:versions", name);
        var json = await Zin("worker:versions", name, "--json");
        var unknown = await Zin("worker:activate", name, "9.9.9");

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Matches(@"^│ 2\.1\.0\s+│ yes\s+│ echo\s+│ 3\s+│", Assert.Single(before.OutputLines, l => l.StartsWith("│ 2.1.0", StringComparison.Ordinal)));
        Assert.Matches(@"^│ 3\.0\.0\s+│\s+│ echo\s+│ 4\s+│ .+│ Added retry logic\s+│$", Assert.Single(before.OutputLines, l => l.StartsWith("│ 3.0.0", StringComparison.Ordinal)));
        Assert.True(activate.ExitCode == 0, activate.ToString());
        Assert.Equal([$"Worker '{name}' runs version 3.0.0."], activate.OutputLines);
        Assert.Matches(@"^│ 3\.0\.0\s+│ yes\s+│", Assert.Single(after.OutputLines, l => l.StartsWith("│ 3.0.0", StringComparison.Ordinal)));
        Assert.Contains("Last rollout: 2.1.0 -> 3.0.0, completed (1/1 replicas)", after.Output, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(json.Output))
        {
            Assert.Equal("3.0.0", doc.RootElement.GetProperty("active").GetString());
        }

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("9.9.9", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanaryCommands_StartShowAndRollBack()
    {
        var name = await silo.CreateWorkerAsync("cli-can", "cli-can-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });
        await silo.PostJsonAsync($"/api/workers/{name}/versions", new { version = "3.0.0", processor = "echo" });

        var start = await Zin("canary:start", name, "3.0.0", "--traffic", "20", "--duration-ms", "3600000");
        var status = await Zin("canary:status", name);
        var rollback = await Zin("canary:rollback", name);
        var again = await Zin("canary:rollback", name);

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal($"Canary of {name}: 3.0.0 against 2.1.0, running, 20% of jobs, health 100/100", start.OutputLines[0]);
        Assert.Contains(status.OutputLines, l => l.StartsWith("│ 3.0.0 (canary)", StringComparison.Ordinal));
        Assert.Contains(status.OutputLines, l => l.StartsWith("│ 2.1.0 (stable)", StringComparison.Ordinal));
        Assert.Contains(status.OutputLines, l => l.Contains("started  0% -> 20%", StringComparison.Ordinal));
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.StartsWith($"Canary of {name}: 3.0.0 against 2.1.0, rolledBack, 0% of jobs", rollback.OutputLines[0], StringComparison.Ordinal);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("has ended", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatacenterCommands_RegisterPlaceFailOverAndShowTheTopology()
    {
        var name = await silo.CreateWorkerAsync("cli-dc", "cli-dc-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });

        var register = await Zin("datacenter:register", "cli-west", "--name", "CLI West", "--lat", "37.77", "--lon", "-122.42", "--capacity", "100");
        var regions = await Zin("datacenter:regions");
        var place = await Zin("worker:placement", name, "us-east-1", "--priority", "high", "--affinity", "near-db");
        var failover = await Zin("worker:failover", name, "us-east-1", "cli-west", "--interval-ms", "5000");
        var show = await Zin("worker:placement", name);
        var topology = await Zin("datacenter:topology");
        var unknown = await Zin("worker:placement", name, "nowhere-1");

        Assert.True(register.ExitCode == 0, register.ToString());
        Assert.Equal(["Region cli-west registered"], register.OutputLines);
        Assert.Matches(@"^│ cli-west\s+│ CLI West\s+│ 37\.77, -122\.42\s+│ 100\s+│ yes\s+│$", Assert.Single(regions.OutputLines, l => l.StartsWith("│ cli-west", StringComparison.Ordinal)));
        Assert.Contains(regions.OutputLines, l => l.StartsWith("│ us-east-1", StringComparison.Ordinal) && l.Contains("declared by a silo", StringComparison.Ordinal));
        Assert.True(place.ExitCode == 0, place.ToString());
        Assert.Equal($"Worker {name} runs in us-east-1; failover: none", place.OutputLines[0]);
        Assert.True(failover.ExitCode == 0, failover.ToString());
        Assert.Equal("Failover us-east-1 -> cli-west, automatic: yes, after 5.0s down, back after 300.0s healthy", failover.OutputLines[1]);
        Assert.Equal($"Worker {name} runs in us-east-1; failover: primary", show.OutputLines[0]);
        Assert.Contains(show.OutputLines, l => l.Contains("placement  (any) -> us-east-1", StringComparison.Ordinal));
        Assert.True(topology.ExitCode == 0, topology.ToString());
        Assert.Matches($@"^│ us-east-1\s+│ yes\s+│ 1 active of 1\s+│ .*{name} 1.*│$", Assert.Single(topology.OutputLines, l => l.StartsWith("│ us-east-1", StringComparison.Ordinal)));
        Assert.Matches(@"^│ cli-west\s+│ NO\s+│ 0 active of 0\s+│ -\s+│$", Assert.Single(topology.OutputLines, l => l.StartsWith("│ cli-west", StringComparison.Ordinal)));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("REGION_NOT_FOUND", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleCommands_CreateListShowTriggerPauseResumeBackfillAndDelete()
    {
        var create = await Zin("schedule:create", "cli-nightly", "cli-sched-queue", "--cron", "0 * * * *", "--tz", "Europe/Berlin", "--payload", "{\"report\":\"nightly\"}", "--overlap", "bufferOne");
        var list = await Zin("schedule:list");
        var trigger = await Zin("schedule:trigger", "cli-nightly");
        var pause = await Zin("schedule:pause", "cli-nightly", "--note", "migration");
        var show = await Zin("schedule:show", "cli-nightly");
        var resume = await Zin("schedule:resume", "cli-nightly");
        var from = DateTimeOffset.UtcNow.AddHours(-3).ToString("O", CultureInfo.InvariantCulture);   // an hourly cron: three occurrences
        var backfill = await Zin("schedule:backfill", "cli-nightly", from, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        var bad = await Zin("schedule:create", "cli-bad", "cli-sched-queue", "--cron", "sometimes");
        var badPayload = await Zin("schedule:create", "cli-bad", "cli-sched-queue", "--cron", "0 * * * *", "--payload", "{oops");
        var delete = await Zin("schedule:delete", "cli-nightly");
        var gone = await Zin("schedule:show", "cli-nightly");

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.StartsWith("Schedule 'cli-nightly' created; next run ", create.OutputLines[0], StringComparison.Ordinal);
        Assert.Matches(@"^│ cli-nightly\s+│ cli-sched-queue\s+│ cron '0 \* \* \* \*' Europe/Berlin\s+│ .+\s+│ active\s+│ 0\s+│ 0\s+│ 0\s+│$",
            Assert.Single(list.OutputLines, l => l.StartsWith("│ cli-nightly", StringComparison.Ordinal)));
        Assert.StartsWith("Schedule 'cli-nightly' triggered: job ", trigger.OutputLines[0], StringComparison.Ordinal);
        Assert.Equal("Schedule 'cli-nightly' paused; next run none (paused or ended).", pause.OutputLines[0]);
        Assert.Contains(show.OutputLines, l => l.Contains("paused by cli-admin: migration", StringComparison.Ordinal));
        Assert.Contains(show.OutputLines, l => l.Contains("triggered", StringComparison.Ordinal));
        Assert.StartsWith("Schedule 'cli-nightly' resumed; next run ", resume.OutputLines[0], StringComparison.Ordinal);
        Assert.Equal("Schedule 'cli-nightly' backfilled: 3 occurrence(s).", backfill.OutputLines[0]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("INVALID_SCHEDULE", bad.Error, StringComparison.Ordinal);
        Assert.Equal(1, badPayload.ExitCode);
        Assert.Equal("[ERROR] --payload is not JSON (for example '{\"report\":\"daily\"}'). (INVALID_JSON)", badPayload.ErrorLines[0]);
        Assert.Equal(["Schedule 'cli-nightly' deleted; its jobs stay."], delete.OutputLines);
        Assert.Contains("SCHEDULE_NOT_FOUND", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerSummary_PrintsTheSeedsBlock_WithTheServicesCounts()
    {
        await silo.CreateWorkerAsync("cli-sum", "cli-sum-queue");

        var result = await Zin("worker:summary");
        var summary = (await silo.GetJsonAsync("/api/workers/system/summary")).GetProperty("summary");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Worker Management System Summary", result.OutputLines[0]);
        Assert.Equal(new string('━', 32), result.OutputLines[1]);
        Assert.StartsWith(
            $"Workers: {summary.GetProperty("total")} total ({summary.GetProperty("running")} active, {summary.GetProperty("stopped")} stopped",
            result.OutputLines[2],
            StringComparison.Ordinal);
        // A Health line appears once some running worker has a health score (other tests here start workers).
        var lines = result.OutputLines[3..];
        if (summary.GetProperty("averageHealth").ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            Assert.Matches(@"^Health: (Excellent|Good|Fair|Poor) \(avg \d+/100\)$", lines[0]);
            lines = lines[1..];
        }

        Assert.Equal(
            $"Jobs: {summary.GetProperty("waiting")} waiting, {summary.GetProperty("delayed")} delayed, {summary.GetProperty("active")} active, {summary.GetProperty("deadLettered")} dead-lettered",
            lines[0]);

        // The cluster's resources come from Orleans' runtime statistics; there are no unit prices, so no costs.
        Assert.Equal("Resources:", lines[1]);
        Assert.StartsWith("CPU: ", lines[2].Trim(), StringComparison.Ordinal);
        Assert.EndsWith("%", lines[2], StringComparison.Ordinal);
        Assert.Matches(@"^Memory: [\d.]+ [KMGT]?i?B / [\d.]+ [KMGT]?i?B$", lines[3].Trim());
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task WorkerScaleScalingAndScaleClear_SetReplicas_ShowTheOverride_AndHandItBack()
    {
        var name = await silo.CreateWorkerAsync("cli-scale", "cli-scale-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });

        var scale = await Zin("worker:scale", name, "2", "--hold-minutes", "5");
        var scaling = await Zin("worker:scaling", name);
        var json = await Zin("worker:scaling", name, "--json");
        var clear = await Zin("worker:scale-clear", name);
        var cleared = await Zin("worker:scaling", name);
        var tooMany = await Zin("worker:scale", name, "65");
        var unknown = await Zin("worker:scale", "no-such-worker", "2");

        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.Equal([$"Worker '{name}' scaled to 2 replicas."], scale.OutputLines);
        Assert.True(scaling.ExitCode == 0, scaling.ToString());
        Assert.Matches($@"^Worker {name}: 2 replica\(s\); auto-scaled: (yes|no)", scaling.OutputLines[0]);
        Assert.StartsWith("Manual override until ", scaling.OutputLines[1], StringComparison.Ordinal);
        Assert.Matches(@"^│ \S.*│ 1\s+│ 2\s+│ yes\s+│ manual\s+│ set by an operator", Assert.Single(scaling.OutputLines, l => l.Contains("│ manual", StringComparison.Ordinal)));
        using (var doc = JsonDocument.Parse(json.Output))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("replicas").GetInt32());
            Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("overrideUntil").ValueKind);
        }

        Assert.True(clear.ExitCode == 0, clear.ToString());
        Assert.Equal([$"The auto-scaler manages worker '{name}' again."], clear.OutputLines);
        Assert.Equal("No manual override", cleared.OutputLines[1]);
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Contains("64", tooMany.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("(WORKER_NOT_FOUND)", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_OnStatusSummaryAndLifecycle_PrintsTheServicesAnswerAlone()
    {
        var name = await silo.CreateWorkerAsync("cli-json", "cli-json-queue");

        var start = await Zin("worker:start", name, "--json");
        var status = await Zin("worker:status", name, "--json");
        var summary = await Zin("worker:summary", "--json");
        var stop = await Zin("worker:stop", name, "--json");

        foreach (var result in new[] { start, status, summary, stop })
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Empty(result.Error);
        }

        using (var doc = JsonDocument.Parse(start.Output))
        {
            Assert.Equal($"Worker '{name}' started.", doc.RootElement.GetProperty("message").GetString());
        }

        using (var doc = JsonDocument.Parse(status.Output))
        {
            Assert.Equal(name, doc.RootElement.GetProperty("name").GetString());
        }

        using (var doc = JsonDocument.Parse(summary.Output))
        {
            Assert.True(doc.RootElement.GetProperty("summary").GetProperty("total").GetInt32() >= 1);
        }

        using (var doc = JsonDocument.Parse(stop.Output))
        {
            Assert.Equal($"Worker '{name}' stopped.", doc.RootElement.GetProperty("message").GetString());
        }
    }

    [Theory]
    [InlineData("worker:status")]
    [InlineData("worker:show")]
    [InlineData("worker:start")]
    [InlineData("worker:stop")]
    [InlineData("worker:restart")]
    [InlineData("worker:scaling")]
    [InlineData("worker:scale-clear")]
    [InlineData("worker:metrics")]
    public async Task UnknownWorker_PrintsTheServicesNotFound_AndExits1(string command)
    {
        var result = await Zin(command, "no-such-worker");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["[ERROR] Worker 'no-such-worker' was not found. (WORKER_NOT_FOUND)"], result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task WorkerMetrics_PrintsTheLiveFigures_AndTheDurablePeriods_AsTheServiceGivesThem()
    {
        var name = await silo.CreateWorkerAsync("cli-metrics", "cli-metrics-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });
        var id = (await silo.PostJsonAsync("/api/queues/cli-metrics-queue/jobs", new { payload = new { n = 1 } })).GetProperty("id").GetString();
        await Eventually.True(async () => (await silo.GetJsonAsync($"/api/queues/cli-metrics-queue/jobs/{id}")).GetProperty("state").GetString() == "completed", "the job completes");
        await silo.PostJsonAsync($"/api/workers/{name}/stop", new { });   // a graceful stop hands the last runs to the durable metrics
        await StatusOf(name, "stopped");

        var hours = await Zin("worker:metrics", name, "--period", "hour");
        var days = await Zin("worker:metrics", name, "--period", "day", "--limit", "3", "--json");
        var live = await Zin("worker:metrics", name);
        var tooMany = await Zin("worker:metrics", name, "--period", "month", "--limit", "25");

        Assert.True(hours.ExitCode == 0, hours.ToString());
        Assert.Equal($"Worker Metrics by hour: {name} (UTC)", hours.OutputLines[0]);
        Assert.Contains(hours.OutputLines, l => Regex.IsMatch(l, @"^│ \d{4}-\d{2}-\d{2} \d{2}:00 │ 1\s+│ 1\s+│ 0\s+│ 100\.0%\s+│ 0\s+│ 0\s+│ \d+ms │"));
        Assert.StartsWith("48 hours kept; run times within 5 %; saved ", hours.OutputLines[^1], StringComparison.Ordinal);
        Assert.True(days.ExitCode == 0, days.ToString());
        using (var json = JsonDocument.Parse(days.Output))
        {
            Assert.Equal("day", json.RootElement.GetProperty("period").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("completed").GetInt64()));
        }

        Assert.True(live.ExitCode == 0, live.ToString());
        Assert.Equal($"Worker Metrics: {name}", live.OutputLines[0]);
        Assert.Contains("Jobs Completed: 0", live.OutputLines);   // the live figures are the running replicas': none now
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Contains("(INVALID_QUERY)", tooMany.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidWorkerName_PrintsTheServicesValidationError()
    {
        var result = await Zin("worker:status", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(INVALID_WORKER_NAME)", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The status the service settles on (a stop drains first), polled with a deadline.</summary>
    private Task<string?> StatusOf(string name, string expected) => Eventually.Get(
        async () => (await silo.GetJsonAsync($"/api/workers/{name}")).GetProperty("worker").GetProperty("status").GetString(),
        status => status == expected,
        $"worker {name} {expected}",
        TimeSpan.FromSeconds(15));

    [GeneratedRegex(@"^│ Name\s+│ Status\s+│ Version\s+│ Queue\s+│ Concurrency\s+│$")]
    private static partial Regex HeaderRow();

    [GeneratedRegex(@"^│ demo-worker\s+│ (stopped|active)\s+│ 1\.0\.0\s+│ demo-queue\s+│ 2\s+│$")]
    private static partial Regex DemoWorkerRow();
}

using System.Text.Json;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>The queue, job and dead-letter commands (queue:prune in both spellings) against a real silo process.</summary>
public sealed class QueueCommandsTests(SiloProcess silo) : IClassFixture<SiloProcess>
{
    private Task<CliResult> Zin(params string[] args) => Cli.RunAsync([.. args, .. silo.Target]);

    [Fact]
    public async Task QueuePrune_OneQueue_KeepsJobsYoungerThanTheAge_AndSaysSo()
    {
        var name = await silo.CreateWorkerAsync("cli-prune", "cli-prune-queue");
        await silo.PostJsonAsync($"/api/workers/{name}/start", new { });
        var id = (await silo.PostJsonAsync("/api/queues/cli-prune-queue/jobs", new { payload = new { n = 1 } })).GetProperty("id").GetString();
        await Eventually.Get(
            () => silo.GetJsonAsync($"/api/queues/cli-prune-queue/jobs/{id}"),
            j => j.GetProperty("state").GetString() == "completed",
            $"job {id} completed");

        var result = await Zin("queue:prune", "--queue", "cli-prune-queue", "--hours", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["[INFO] Pruned 0 finished job(s) older than 1 hours from queue 'cli-prune-queue'."], result.OutputLines);
        var job = await silo.GetJsonAsync($"/api/queues/cli-prune-queue/jobs/{id}");
        Assert.Equal("completed", job.GetProperty("state").GetString());
    }

    [Fact]
    public async Task QueuePrune_WithDeadLetters_AsksForThem_AndSaysSo()
    {
        var result = await Zin("queue:prune", "--queue", "demo-queue", "--dead-letters");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["[INFO] Pruned 0 finished job(s), dead letters included, older than 168 hours from queue 'demo-queue'."], result.OutputLines);
    }

    [Fact]
    public async Task QueuePrune_DefaultsToSevenDays_AndAcceptsTheTwoWordSpelling()
    {
        var colon = await Zin("queue:prune", "--queue", "demo-queue");
        var words = await Zin("queue", "prune", "--queue", "demo-queue", "--hours", "24");

        Assert.True(colon.ExitCode == 0, colon.ToString());
        Assert.Equal(["[INFO] Pruned 0 finished job(s) older than 168 hours from queue 'demo-queue'."], colon.OutputLines);
        Assert.True(words.ExitCode == 0, words.ToString());
        Assert.Equal(["[INFO] Pruned 0 finished job(s) older than 24 hours from queue 'demo-queue'."], words.OutputLines);
    }

    [Fact]
    public async Task QueuePrune_AllQueues_PrunesEveryQueueOfARegisteredWorker()
    {
        await silo.CreateWorkerAsync("cli-prune-all", "cli-prune-all-queue");
        var queues = (await silo.GetJsonAsync("/api/queues")).GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("queue").GetString()).ToArray();

        var result = await Zin("queue:prune", "--hours", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"[INFO] Pruned 0 finished job(s) older than 2 hours from {queues.Length} queue(s).", result.OutputLines[0]);
        Assert.Contains("[INFO]   cli-prune-all-queue: 0", result.OutputLines);
        Assert.Equal(queues.Length + 1, result.OutputLines.Length);
    }

    [Fact]
    public async Task WithoutAKey_TheServiceRefuses_AndTheHintNamesTheOption()
    {
        var result = await Cli.RunAsync("queue:prune", "--port", silo.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var wrong = await Cli.RunAsync("worker:list", "--port", silo.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--api-key", "zt_not_a_key");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(UNAUTHORIZED)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--api-key", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("(UNAUTHORIZED)", wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("zt_not_a_key", wrong.Error + wrong.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("87601")]
    public async Task QueuePrune_RefusesAnAgeOutOfRange_WithoutCallingTheService(string hours)
    {
        var result = await Cli.RunAsync("queue:prune", "--queue", "demo-queue", "--hours", hours, "--port", SiloProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] --hours must be 1 to 87600."], result.ErrorLines);
    }

    [Fact]
    public async Task QueuePrune_InvalidQueueName_PrintsTheServicesError()
    {
        var result = await Zin("queue:prune", "--queue", "a!");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(INVALID_QUEUE_NAME)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void QueuePrune_AllQueues_ListsEachQueuesCount_WhenTheServiceGivesThem()
    {
        using var response = JsonDocument.Parse("""{"ok":true,"pruned":5,"queues":[{"queue":"emails","pruned":3},{"queue":"reports","pruned":2}]}""");

        var lines = QueuePruneCommand.Describe(response.RootElement, queue: null, hours: 24).ToArray();

        Assert.Equal(
            ["[INFO] Pruned 5 finished job(s) older than 24 hours from 2 queue(s).", "[INFO]   emails: 3", "[INFO]   reports: 2"],
            lines);
    }

    [Fact]
    public void QueuePrune_AllQueues_ReadsAListOfNames()
    {
        using var response = JsonDocument.Parse("""{"ok":true,"pruned":1200,"queues":["emails","reports","pdf"]}""");

        var lines = QueuePruneCommand.Describe(response.RootElement, queue: null, hours: 168).ToArray();

        Assert.Equal(["[INFO] Pruned 1,200 finished job(s) older than 168 hours from 3 queue(s)."], lines);
    }

    [Fact]
    public async Task QueuePrune_Json_PrintsTheServicesAnswerOnly()
    {
        var result = await Zin("queue:prune", "--queue", "demo-queue", "--hours", "3", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(0, json.RootElement.GetProperty("pruned").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("olderThanHours").GetInt32());
    }

    [Fact]
    public async Task QueueListPauseResume_ListTheQueue_AndFollowItsPausedState()
    {
        await silo.CreateWorkerAsync("cli-qp", "cli-qp-queue");

        var pause = await Zin("queue:pause", "cli-qp-queue");
        var paused = await silo.GetJsonAsync("/api/queues/cli-qp-queue");
        var list = await Zin("queue:list");
        var json = await Zin("queue:list", "--json");
        var resume = await Zin("queue:resume", "cli-qp-queue", "--json");
        var resumed = await silo.GetJsonAsync("/api/queues/cli-qp-queue");
        var unknown = await Zin("queue:pause", "no-such-queue");

        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Equal(["Queue 'cli-qp-queue' paused."], pause.OutputLines);
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.OutputLines, l => l.StartsWith("│ Queue ", StringComparison.Ordinal) && l.Contains("│ Dead-lettered │", StringComparison.Ordinal));
        Assert.Matches(@"^│ cli-qp-queue\s+│ paused\s+│ 0\s+│ 0\s+│ 0\s+│ 0\s+│ 0\s+│ 0\s+│$", Assert.Single(list.OutputLines, l => l.StartsWith("│ cli-qp-queue ", StringComparison.Ordinal)));
        using (var doc = JsonDocument.Parse(json.Output))
        {
            var queue = Assert.Single(doc.RootElement.GetProperty("queues").EnumerateArray(), q => q.GetProperty("queue").GetString() == "cli-qp-queue");
            Assert.True(queue.GetProperty("paused").GetBoolean());
        }

        Assert.True(resume.ExitCode == 0, resume.ToString());
        using (var doc = JsonDocument.Parse(resume.Output))
        {
            Assert.Equal("Queue 'cli-qp-queue' resumed.", doc.RootElement.GetProperty("message").GetString());
        }

        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("(QUEUE_NOT_FOUND)", unknown.Error, StringComparison.Ordinal);
        Assert.Empty(unknown.Output);
    }

    [Fact]
    public async Task JobShowAndCancel_ShowAWaitingJob_CancelIt_AndRefuseToCancelItTwice()
    {
        await silo.CreateWorkerAsync("cli-job", "cli-job-queue");
        var id = (await silo.PostJsonAsync("/api/queues/cli-job-queue/jobs", new { name = "report", payload = new { n = 1 } })).GetProperty("id").GetString()!;

        var show = await Zin("job:show", "cli-job-queue", id);
        var cancel = await Zin("job:cancel", "cli-job-queue", id);
        var again = await Zin("job:cancel", "cli-job-queue", id);
        var json = await Zin("job:show", "cli-job-queue", id, "--json");
        var missing = await Zin("job:show", "cli-job-queue", "no-such-job");
        var invalid = await Zin("job:show", "cli-job-queue", "not a job id!");

        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal($"Job: {id}", show.OutputLines[0]);
        Assert.Matches("^━+$", show.OutputLines[1]);
        Assert.Equal(["Queue: cli-job-queue", "Name: report", "State: waiting"], show.OutputLines[2..5]);
        Assert.Matches(@"^Attempts: 0/\d+$", show.OutputLines[5]);
        Assert.Equal("Progress: 0%", show.OutputLines[6]);
        Assert.Contains(show.OutputLines, l => l.StartsWith("Created: ", StringComparison.Ordinal));
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal([$"Job '{id}' cancelled."], cancel.OutputLines);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("(JOB_ALREADY_FINISHED)", again.Error, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(json.Output))
        {
            Assert.Equal("cancelled", doc.RootElement.GetProperty("state").GetString());
        }

        Assert.Equal(1, missing.ExitCode);
        Assert.Equal([$"[ERROR] Job 'no-such-job' was not found in queue 'cli-job-queue'. (JOB_NOT_FOUND)"], missing.ErrorLines);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("(INVALID_JOB_ID)", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_ListShowRetryAndDelete_WithConfirmation()
    {
        const string queue = "cli-dlq-queue";
        var worker = $"cli-dlq-{Guid.NewGuid():N}"[..16];
        await silo.PostJsonAsync("/api/workers", new { name = worker, queueName = queue, processor = "demo", concurrency = 2 });
        await silo.PostJsonAsync($"/api/workers/{worker}/start", new { });
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            ids.Add((await silo.PostJsonAsync($"/api/queues/{queue}/jobs", new { payload = new { fail = true, steps = 1, message = "boom" }, attempts = 1 })).GetProperty("id").GetString()!);
        }

        await Eventually.Get(() => silo.GetJsonAsync($"/api/queues/{queue}"), q => q.GetProperty("failed").GetInt32() == 3, "three jobs dead-lettered");

        // Stopped, the worker leaves retried jobs waiting, so what the commands did stays visible.
        await silo.PostJsonAsync($"/api/workers/{worker}/stop", new { });
        var list = await Zin("dead-letter:list", queue);
        var page = await Zin("dead-letter:list", queue, "--limit", "2", "--json");
        var show = await Zin("job:show", queue, ids[0]);
        var retryOne = await Zin("job:retry", queue, ids[0]);
        var retryAgain = await Zin("job:retry", queue, ids[0]);
        var retrySome = await Zin("dead-letter:retry", queue, "--id", ids[1]);
        var declined = await Cli.RunAsync(["dead-letter:delete", queue, .. silo.Target], new Dictionary<string, string>(), input: "n\n");
        var afterDecline = await silo.GetJsonAsync($"/api/queues/{queue}");
        var confirmed = await Cli.RunAsync(["dead-letter:delete", queue, .. silo.Target], new Dictionary<string, string>(), input: "y\n");
        var nothingLeft = await Zin("dead-letter:delete", queue, "--yes", "--json");
        var empty = await Zin("dead-letter:list", queue);

        Assert.True(list.ExitCode == 0, list.ToString());
        foreach (var id in ids)
        {
            Assert.Matches($@"^│ {id}\s+│ -\s+│ 1/1\s+│ \S.*│ .*boom.*│$", Assert.Single(list.OutputLines, l => l.StartsWith($"│ {id}", StringComparison.Ordinal)));
        }

        using (var doc = JsonDocument.Parse(page.Output))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("jobs").GetArrayLength());
        }

        Assert.Contains("State: failed (dead-lettered)", show.OutputLines);
        Assert.Contains(show.OutputLines, l => l.StartsWith("Error: ", StringComparison.Ordinal) && l.Contains("boom", StringComparison.Ordinal));
        Assert.True(retryOne.ExitCode == 0, retryOne.ToString());
        Assert.Equal([$"Job '{ids[0]}' is waiting again."], retryOne.OutputLines);
        Assert.Equal(1, retryAgain.ExitCode);
        Assert.Contains("(JOB_NOT_DEAD_LETTERED)", retryAgain.Error, StringComparison.Ordinal);
        Assert.True(retrySome.ExitCode == 0, retrySome.ToString());
        Assert.Equal([$"Retried 1 dead-lettered job(s) of queue '{queue}'."], retrySome.OutputLines);
        Assert.Equal(2, declined.ExitCode);
        Assert.Equal($"Delete all 1 dead-lettered job(s) of queue '{queue}' for good? [y/N] [ERROR] Not confirmed; nothing was deleted. Pass --yes to delete without asking.", declined.ErrorLines[0]);
        Assert.Empty(declined.Output);
        Assert.Equal(1, afterDecline.GetProperty("failed").GetInt32());
        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.Equal([$"Deleted 1 dead-lettered job(s) of queue '{queue}'."], confirmed.OutputLines);
        using (var doc = JsonDocument.Parse(nothingLeft.Output))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("deleted").GetInt32());
        }

        Assert.Equal([$"Queue '{queue}' has no dead letters."], empty.OutputLines);
        var waiting = await silo.GetJsonAsync($"/api/queues/{queue}/jobs/{ids[1]}");
        Assert.Equal("waiting", waiting.GetProperty("state").GetString());
    }
}

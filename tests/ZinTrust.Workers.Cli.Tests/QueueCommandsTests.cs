using System.Text.Json;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>queue:prune (and its two-word spelling) against a real silo process.</summary>
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
}

using System.Globalization;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>Usage errors, resource:monitor's actions, and a service that is not running (nothing listens on the port).</summary>
public sealed class CommandLineTests
{
    private const string ValidCommands =
        "Valid commands: worker:list, worker:status, worker:metrics, worker:show, worker:start, worker:stop, worker:restart, worker:versions, worker:activate, worker:scaling, worker:scale, worker:scale-clear, worker:summary, canary:start, canary:status, canary:pause, canary:resume, canary:rollback, canary:complete, datacenter:regions, datacenter:register, datacenter:topology, worker:placement, worker:failover, schedule:list, schedule:show, schedule:create, schedule:pause, schedule:resume, schedule:trigger, schedule:backfill, schedule:delete, queue:list, queue:pause, queue:resume, queue:prune, queue prune, job:show, job:cancel, job:retry, job:logs, dead-letter:list, dead-letter:retry, dead-letter:delete, resource:monitor (rm), resource:alerts, resource:trends, migrate:worker";

    private static readonly string DeadPort = SiloProcess.FreePort().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task UnknownCommand_ListsTheValidOnes_AndExits2()
    {
        var result = await Cli.RunAsync("worker:lsit");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("[ERROR] Unknown command 'worker:lsit'.", result.ErrorLines[0]);
        Assert.Contains(ValidCommands, result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task NoCommand_ListsTheValidOnes_AndExits2()
    {
        var result = await Cli.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(ValidCommands, result.ErrorLines);
    }

    [Fact]
    public async Task MissingWorkerName_SaysSo_AndPointsAtTheCommandsHelp()
    {
        var result = await Cli.RunAsync("worker:status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'name'", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("Run 'zin worker:status --help' for its arguments and options.", result.ErrorLines[^1]);
    }

    [Fact]
    public async Task Help_DescribesEveryCommand()
    {
        var result = await Cli.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[]
        {
            "worker:list", "worker:status", "worker:metrics", "worker:show", "worker:start", "worker:stop", "worker:restart", "worker:scaling", "worker:scale", "worker:scale-clear", "worker:summary",
            "queue:list", "queue:pause", "queue:resume", "queue:prune", "job:show", "job:cancel", "job:retry", "dead-letter:list", "dead-letter:retry", "dead-letter:delete",
            "resource:monitor, rm", "resource:alerts", "resource:trends", "migrate:worker",
        })
        {
            Assert.Contains(command, result.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("resource:monitor", "pause")]
    [InlineData("rm", "pause")]
    [InlineData("rm", null)]
    public async Task ResourceMonitor_InvalidAction_PrintsTheSeedsError_AndExits2(string command, string? action)
    {
        var result = await Cli.RunAsync(action is null ? [command, "--port", DeadPort] : [command, action, "--port", DeadPort]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] Invalid action. Use \"start\" or \"stop\"."], result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("start")]
    public async Task ResourceMonitor_ServiceDown_PrintsTheSeedsLines_AndExits1(string action)
    {
        var result = await Cli.RunAsync("rm", action, "--port", DeadPort);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"[INFO] Sending {action} request to http://127.0.0.1:{DeadPort}/api/resources/{action}..."], result.OutputLines);
        Assert.Equal(
            [$"[ERROR] Failed to {action} resource monitor: Connection refused (127.0.0.1:{DeadPort})", "[INFO] Ensure the worker service is running and the port is correct."],
            result.ErrorLines);
    }

    [Theory]
    [InlineData("list workers", "worker:list")]
    [InlineData("get the status of worker 'demo-worker'", "worker:status", "demo-worker")]
    [InlineData("get the metrics of worker 'demo-worker'", "worker:metrics", "demo-worker")]
    [InlineData("get the metrics of worker 'demo-worker'", "worker:metrics", "demo-worker", "--period", "day", "--limit", "7")]
    [InlineData("get worker 'demo-worker'", "worker:show", "demo-worker")]
    [InlineData("start worker 'demo-worker'", "worker:start", "demo-worker")]
    [InlineData("stop worker 'demo-worker'", "worker:stop", "demo-worker")]
    [InlineData("restart worker 'demo-worker'", "worker:restart", "demo-worker")]
    [InlineData("get the system summary", "worker:summary")]
    [InlineData("prune queue 'emails'", "queue:prune", "--queue", "emails")]
    [InlineData("prune the queues", "queue:prune")]
    [InlineData("list the queues", "queue:list")]
    [InlineData("pause queue 'emails'", "queue:pause", "emails")]
    [InlineData("resume queue 'emails'", "queue:resume", "emails")]
    [InlineData("get job 'j1'", "job:show", "emails", "j1")]
    [InlineData("cancel job 'j1'", "job:cancel", "emails", "j1")]
    [InlineData("retry job 'j1'", "job:retry", "emails", "j1")]
    [InlineData("list the dead letters of queue 'emails'", "dead-letter:list", "emails")]
    [InlineData("retry the dead letters of queue 'emails'", "dead-letter:retry", "emails", "--id", "j1")]
    [InlineData("delete the dead letters of queue 'emails'", "dead-letter:delete", "emails", "--yes")]
    [InlineData("get the scaling of worker 'demo-worker'", "worker:scaling", "demo-worker")]
    [InlineData("scale worker 'demo-worker'", "worker:scale", "demo-worker", "2", "--hold-minutes", "10")]
    [InlineData("clear the scaling override of worker 'demo-worker'", "worker:scale-clear", "demo-worker")]
    [InlineData("stop worker 'demo-worker'", "worker:stop", "demo-worker", "--json")]
    public async Task ServiceDown_SaysWhatFailed_AndHowToFixIt_AndExits1(string failure, params string[] args)
    {
        var result = await Cli.RunAsync([.. args, "--port", DeadPort]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [$"[ERROR] Failed to {failure}: Connection refused (127.0.0.1:{DeadPort})", "[INFO] Ensure the worker service is running and the port is correct."],
            result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task ServiceDown_UnknownHost_NamesTheHost()
    {
        var result = await Cli.RunAsync("worker:list", "--host", "no-such-host.invalid");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("[ERROR] Failed to list workers: ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("no-such-host.invalid", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("[INFO] Ensure the worker service is running and the port is correct.", result.ErrorLines[1]);
    }

    [Theory]
    [InlineData("job:show", "emails")]
    [InlineData("job:cancel")]
    [InlineData("job:retry", "emails")]
    [InlineData("queue:pause")]
    [InlineData("queue:resume")]
    [InlineData("dead-letter:list")]
    [InlineData("dead-letter:retry")]
    [InlineData("dead-letter:delete")]
    [InlineData("worker:scaling")]
    [InlineData("worker:scale", "demo-worker")]
    [InlineData("worker:scale-clear")]
    [InlineData("worker:metrics")]
    public async Task NewCommands_MissingArguments_AreUsageErrors_PointingAtTheirHelp(params string[] args)
    {
        var result = await Cli.RunAsync([.. args, "--port", DeadPort]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("[ERROR] ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal($"Run 'zin {args[0]} --help' for its arguments and options.", result.ErrorLines[^1]);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("[ERROR] REPLICAS must be 1 or more (stop the worker to run none).", "worker:scale", "demo-worker", "0")]
    [InlineData("[ERROR] --hold-minutes must be 0 to 10080 (a week).", "worker:scale", "demo-worker", "2", "--hold-minutes", "10081")]
    [InlineData("[ERROR] --hold-minutes must be 0 to 10080 (a week).", "worker:scale", "demo-worker", "2", "--hold-minutes", "-1")]
    [InlineData("[ERROR] --offset must be 0 or more and --limit 1 to 200.", "dead-letter:list", "emails", "--limit", "0")]
    [InlineData("[ERROR] --offset must be 0 or more and --limit 1 to 200.", "dead-letter:list", "emails", "--limit", "201")]
    [InlineData("[ERROR] --offset must be 0 or more and --limit 1 to 200.", "dead-letter:list", "emails", "--offset", "-1")]
    public async Task NewCommands_ValuesOutOfRange_AreRefusedWithoutCallingTheService_AndExit2(string error, params string[] args)
    {
        var result = await Cli.RunAsync([.. args, "--port", DeadPort]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([error], result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("worker:scale", "demo-worker", "two")]
    [InlineData("dead-letter:list", "emails", "--limit", "many")]
    [InlineData("worker:metrics", "demo-worker", "--period", "day", "--limit", "many")]
    [InlineData("worker:metrics", "demo-worker", "--period", "week")]
    public async Task NewCommands_ValuesThatAreNotNumbers_AreParseErrors(params string[] args)
    {
        var result = await Cli.RunAsync([.. args, "--port", DeadPort]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("[ERROR] ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal($"Run 'zin {args[0]} --help' for its arguments and options.", result.ErrorLines[^1]);
    }

    [Fact]
    public void EveryCommandThatTalksToTheService_TakesJson()
    {
        var root = CliApp.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null));
        var commands = root.Subcommands.SelectMany(c => c.Subcommands.Count > 0 ? c.Subcommands.ToArray() : new[] { c }).Where(c => c.Name != "migrate:worker").ToArray();

        Assert.True(commands.Length >= 40, $"{commands.Length} commands");
        Assert.All(commands, c => Assert.Contains(c.Options, o => o.Name == "--json"));
    }

    [Fact]
    public async Task DeadLetterDelete_WithoutYes_AndNobodyToAsk_DeletesNothing_AndExits2()
    {
        var result = await Cli.RunAsync("dead-letter:delete", "emails", "--id", "j1", "--port", DeadPort);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] Not confirmed; nothing was deleted. Pass --yes to delete without asking."], result.ErrorLines);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task InvokedAsZintrust_TheUsageLinesSayZintrust()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error) { Environment = _ => null, CommandName = "zintrust" };

        int missing = await CliApp.RunAsync(["worker:status"], context, TestContext.Current.CancellationToken);
        int unknown = await CliApp.RunAsync(["worker:lsit"], context, TestContext.Current.CancellationToken);

        Assert.Equal(2, missing);
        Assert.Equal(2, unknown);
        Assert.Contains("Run 'zintrust worker:status --help' for its arguments and options.", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Run 'zintrust --help' for a description of each.", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zin", "/root/.dotnet/tools/zin", "/root/.dotnet/tools/zin")]
    [InlineData("zintrust", "zintrust", "/root/.dotnet/tools/zin")]
    [InlineData("zintrust", "/usr/local/bin/zintrust", null)]
    [InlineData("zintrust", null, @"C:\tools\zintrust.exe")]
    [InlineData("zin", "dotnet", "/usr/share/dotnet/dotnet")]
    [InlineData("zin", null, null)]
    public void InvokedName_IsZintrust_OnlyWhenStartedUnderThatName(string expected, string? argv0, string? processPath)
    {
        Assert.Equal(expected, InvokedName.FromPaths(argv0, processPath));
    }

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, false)]
    [InlineData(false, true, false)]
    public void Spinner_OnlyOnATerminal_AndNotWithJson(bool terminal, bool json, bool shown)
    {
        Assert.Equal(shown, Waiting.Shows(terminal, json));
    }
}

using System.Globalization;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>Usage errors, resource:monitor's actions, and a service that is not running (nothing listens on the port).</summary>
public sealed class CommandLineTests
{
    private const string ValidCommands =
        "Valid commands: worker:list, worker:status, worker:show, worker:start, worker:stop, worker:restart, worker:versions, worker:activate, worker:summary, canary:start, canary:status, canary:pause, canary:resume, canary:rollback, canary:complete, datacenter:regions, datacenter:register, datacenter:topology, worker:placement, worker:failover, schedule:list, schedule:show, schedule:create, schedule:pause, schedule:resume, schedule:trigger, schedule:backfill, schedule:delete, queue:prune, queue prune, job:logs, resource:monitor (rm), migrate:worker";

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
        foreach (var command in new[] { "worker:list", "worker:status", "worker:show", "worker:start", "worker:stop", "worker:restart", "worker:summary", "queue:prune", "resource:monitor, rm", "migrate:worker" })
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
    [InlineData("get worker 'demo-worker'", "worker:show", "demo-worker")]
    [InlineData("start worker 'demo-worker'", "worker:start", "demo-worker")]
    [InlineData("stop worker 'demo-worker'", "worker:stop", "demo-worker")]
    [InlineData("restart worker 'demo-worker'", "worker:restart", "demo-worker")]
    [InlineData("get the system summary", "worker:summary")]
    [InlineData("prune queue 'emails'", "queue:prune", "--queue", "emails")]
    [InlineData("prune the queues", "queue:prune")]
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
}

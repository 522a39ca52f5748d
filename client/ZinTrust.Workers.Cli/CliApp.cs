using System.CommandLine;
using System.CommandLine.Invocation;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// The <c>zin</c> command line (also invoked as <c>zintrust</c>, the original's other name): parses the arguments, runs one
/// command, returns its exit code. Tests run it in-process with their own writers (and, when they need to, their own HTTP
/// handler, environment and input).
/// </summary>
public static class CliApp
{
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, HttpMessageHandler? httpHandler = null, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliContext(output, error) { HttpHandler = httpHandler }, cancellationToken);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var root = CreateRootCommand(context);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            return await ReportUsageErrorsAsync(parseResult, root, context);
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = context.Output,
                    Error = context.Error,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = context.HandleTermination ? TimeSpan.FromSeconds(2) : null,
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug or an environment problem nobody foresaw: one line, no stack trace.
            await context.Error.WriteLineAsync($"[ERROR] {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    public static RootCommand CreateRootCommand(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var queue = new Command("queue", $"Queue commands spelled as two words ({context.CommandName} queue prune)");
        queue.Subcommands.Add(QueuePruneCommand.Create(context, "prune"));
        var root = new RootCommand($"{context.CommandName}: manage ZinTrust workers through their REST API (port 7777), and run the PostgreSQL migrations.");

        // The order of the valid-commands line: workers, their deployments and schedules, queues, jobs, dead letters, the rest.
        IEnumerable<Command> commands =
        [
            WorkerListCommand.Create(context),
            WorkerStatusCommand.Create(context),
            WorkerMetricsCommand.Create(context),
            WorkerShowCommand.Create(context),
            WorkerLifecycleCommand.Create(context, "start", "started", "Starting", "Start a stopped worker"),
            WorkerLifecycleCommand.Create(context, "stop", "stopped", "Stopping (draining)", "Stop a running worker gracefully (in-flight jobs drain)"),
            WorkerLifecycleCommand.Create(context, "restart", "restarted", "Restarting (draining)", "Restart a worker (its replicas drain, then start again)"),
            WorkerVersionsCommand.List(context),
            WorkerVersionsCommand.Activate(context),
            .. ScalingCommands.Create(context),
            WorkerSummaryCommand.Create(context),
            .. CanaryCommands.Create(context),
            .. DatacenterCommands.Create(context),
            .. ScheduleCommands.Create(context),
            .. QueueCommands.Create(context),
            QueuePruneCommand.Create(context, "queue:prune"),
            queue,
            .. JobCommands.Create(context),
            JobLogsCommand.Create(context),
            .. DeadLetterCommands.Create(context),
            ResourceMonitorCommand.Create(context),
            .. ResourceAlertCommands.Create(context),
            MigrateWorkerCommand.Create(context),
        ];
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>"worker:list, ..., resource:monitor (rm), queue prune": every command as it is typed.</summary>
    public static IEnumerable<string> CommandNames(Command root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
        {
            if (command.Subcommands.Count > 0)
            {
                foreach (var sub in command.Subcommands)
                {
                    yield return $"{command.Name} {sub.Name}";
                }
            }
            else
            {
                yield return command.Aliases.Count == 0 ? command.Name : $"{command.Name} ({string.Join(", ", command.Aliases)})";
            }
        }
    }

    /// <summary>Each parse error as "[ERROR] ...", then the valid commands (or how to get the command's usage); exit code 2.</summary>
    private static async Task<int> ReportUsageErrorsAsync(ParseResult parseResult, RootCommand root, CliContext context)
    {
        var error = context.Error;
        var command = parseResult.CommandResult.Command;
        bool group = command == root || command.Subcommands.Count > 0;
        if (group && parseResult.UnmatchedTokens.Count > 0)
        {
            await error.WriteLineAsync($"[ERROR] Unknown command '{parseResult.UnmatchedTokens[0]}'.");
        }
        else
        {
            foreach (var problem in parseResult.Errors)
            {
                await error.WriteLineAsync($"[ERROR] {problem.Message}");
            }
        }

        if (group)
        {
            await error.WriteLineAsync($"Valid commands: {string.Join(", ", CommandNames(root))}");
            await error.WriteLineAsync($"Run '{context.CommandName} --help' for a description of each.");
        }
        else
        {
            await error.WriteLineAsync($"Run '{context.CommandName} {command.Name} --help' for its arguments and options.");
        }

        return ExitCodes.Usage;
    }
}

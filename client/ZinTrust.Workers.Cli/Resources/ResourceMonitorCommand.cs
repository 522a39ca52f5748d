using System.CommandLine;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin resource:monitor start|stop</c> (alias <c>rm</c>): POST /api/resources/start or /stop, with the seed's output (with
/// <c>--json</c>, the service's answer alone).
/// </summary>
internal static class ResourceMonitorCommand
{
    public const string InvalidAction = "[ERROR] Invalid action. Use \"start\" or \"stop\".";

    public static Command Create(CliContext context)
    {
        var action = new Argument<string?>("action") { Description = "start or stop", Arity = ArgumentArity.ZeroOrOne };
        var command = ApiCommand.Create(
            "resource:monitor",
            "Start or stop the service's resource monitoring (CPU and memory snapshots)",
            context,
            r => $"{Normalize(r.GetValue(action))} resource monitor",
            async (parseResult, client, console, cancellationToken) =>
            {
                var verb = Normalize(parseResult.GetValue(action));
                if (verb is not ("start" or "stop"))
                {
                    await context.Error.WriteLineAsync(InvalidAction);
                    return ExitCodes.Usage;
                }

                var path = $"/api/resources/{verb}";
                if (JsonOutput.Requested(parseResult))
                {
                    await context.Output.WriteLineAsync((await client.PostAsync(path, cancellationToken)).Trim());
                    return ExitCodes.Success;
                }

                await context.Output.WriteLineAsync($"[INFO] Sending {verb} request to {client.Endpoint.Url(path)}...");
                await client.PostAsync(path, cancellationToken);
                await context.Output.WriteLineAsync($"[INFO] Success: Resource monitoring {(verb == "start" ? "started" : "stopped")}");
                return ExitCodes.Success;
            });
        command.Aliases.Add("rm");
        command.Arguments.Add(action);
        return command;
    }

    private static string? Normalize(string? action) => action?.Trim().ToLowerInvariant();
}

using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin worker:versions NAME [--json]</c>: GET /api/workers/{name}/versions as a table (the active one marked) and the last
/// rolling update; <c>zin worker:activate NAME VERSION [--json]</c>: POST /api/workers/{name}/versions/{version}/activate (a
/// rolling update, answered when every replica runs it, so a terminal shows a spinner; an older version is the rollback).
/// </summary>
internal static class WorkerVersionsCommand
{
    public static Command List(CliContext context)
    {
        var command = WorkerArguments.ForWorker(
            "worker:versions",
            "List a worker's registered versions, which one is active, and the last rolling update",
            context,
            worker => $"list the versions of worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var body = await client.GetAsync($"/api/workers/{ApiClient.Segment(worker)}/versions", cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, Render);
            });
        return command;
    }

    public static Command Activate(CliContext context)
    {
        var version = new Argument<string>("version") { Description = "The registered version to activate (x.y.z)" };
        var command = WorkerArguments.ForWorker(
            "worker:activate",
            "Activate a registered version: replicas move to it one at a time (activate an older version to roll back)",
            context,
            worker => $"activate a version of worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var target = parseResult.GetRequiredValue(version);
                var response = await Waiting.RunAsync(context, parseResult, console, $"Rolling worker '{worker}' to version {target}...",
                    () => client.PostJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/versions/{ApiClient.Segment(target)}/activate", cancellationToken));
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, $"Worker '{worker}' runs version {target}.");
            });
        command.Arguments.Add(version);
        return command;
    }

    /// <summary>Version, Active, Processor, Concurrency, Registered, Description; then the last rollout in a line.</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var versions = response.Member("versions") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Version", "Active", "Processor", "Concurrency", "Registered", "Description");
        foreach (var v in versions)
        {
            table.AddRow(
                new Text(v.String("version") ?? "?"),
                new Text(v.Bool("active") == true ? "yes" : ""),
                new Text(v.String("processor") ?? "-"),
                new Text(((JsonElement?)v.Member("concurrency")).Text() ?? "-"),
                new Text(((JsonElement?)v.Member("registeredAt")).Text() ?? "-"),
                new Text(v.String("description") ?? ""));
        }

        console.Write(table);
        if (response.Object("rollout") is { } rollout)
        {
            var reason = rollout.String("reason") is { } why ? $": {why}" : "";
            console.WriteLine($"Last rollout: {rollout.String("from")} -> {rollout.String("to")}, {rollout.String("state")} ({rollout.Integer("replaced")}/{rollout.Integer("replicas")} replicas){reason}");
        }
    }
}

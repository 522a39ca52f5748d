using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary><c>zin worker:list [--status S] [--queue Q] [--all] [--page N] [--limit N] [--json]</c>: GET /api/workers as a table.</summary>
internal static class WorkerListCommand
{
    public static Command Create(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only workers in this status: active (or running), stopped, starting, draining, failed" };
        var queue = new Option<string?>("--queue") { Description = "Only workers on this queue" };
        var all = new Option<bool>("--all") { Description = "Include inactive workers (activeStatus false)" };
        var page = new Option<int?>("--page") { Description = "Page number (default 1)" };
        var limit = new Option<int?>("--limit") { Description = "Workers per page (default 100, at most 200)" };
        var command = ApiCommand.Create("worker:list", "List workers with their status", context, _ => "list workers", async (parseResult, client, console, cancellationToken) =>
        {
            var wanted = parseResult.GetValue(status)?.Trim().ToLowerInvariant();
            var query = ApiClient.Query(
                ("page", Text(parseResult.GetValue(page))),
                ("limit", Text(parseResult.GetValue(limit))),
                ("status", wanted == "active" ? "running" : wanted),
                ("queue", parseResult.GetValue(queue)),
                ("includeInactive", parseResult.GetValue(all) ? "true" : null));
            var body = await client.GetAsync("/api/workers" + query, cancellationToken);
            return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, Render);
        });
        command.Options.Add(status);
        command.Options.Add(queue);
        command.Options.Add(all);
        command.Options.Add(page);
        command.Options.Add(limit);
        return command;
    }

    /// <summary>The seed's table: Name, Status, Version, Queue, Concurrency; a page line when there are more pages.</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var workers = response.Member("workers") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (workers.Length == 0)
        {
            console.WriteLine("No workers found.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Square);
            table.AddColumns("Name", "Status", "Version", "Queue", "Concurrency");
            foreach (var worker in workers)
            {
                var shown = WorkerArguments.DisplayStatus(worker.String("status"));
                if (worker.Bool("activeStatus") == false)
                {
                    shown += " (inactive)";
                }

                table.AddRow(
                    new Text(worker.String("name") ?? "?"),
                    new Text(shown),
                    new Text(worker.String("version") ?? "-"),
                    new Text(worker.String("queueName") ?? "-"),
                    new Text(Text(worker.Integer("concurrency")) ?? "-"));
            }

            console.Write(table);
        }

        if (response.Object("pagination") is { } pagination && pagination.Integer("totalPages") is > 1 and var pages)
        {
            console.WriteLine($"Page {pagination.Integer("page")} of {pages} ({pagination.Integer("total")} workers)");
        }
    }

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// A queue's dead letters (jobs that used up their attempts): <c>zin dead-letter:list QUEUE [--offset N] [--limit N]</c>,
/// <c>dead-letter:retry QUEUE [--id ID ...]</c> and <c>dead-letter:delete QUEUE [--id ID ...] [--yes]</c> (all of them when no
/// <c>--id</c> is given; deleting asks first unless <c>--yes</c>); each with <c>--json</c>.
/// </summary>
internal static class DeadLetterCommands
{
    public const int MaxLimit = 200;

    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return List(context);
        yield return Retry(context);
        yield return Delete(context);
    }

    private static string Path(string queue) => $"/api/queues/{ApiClient.Segment(queue)}/dead-letters";

    private static Option<string[]> Ids() => new("--id") { Description = "Only this job (repeat for more); default: every dead letter of the queue" };

    /// <summary><c>{"ids": [...]}</c> for the jobs given, or null (no body) for all of them.</summary>
    private static string? Body(string[]? ids) => ids is { Length: > 0 } ? JsonSerializer.Serialize(new { ids }) : null;

    private static Command List(CliContext context)
    {
        var queue = QueueCommands.QueueArgument();
        var offset = new Option<int>("--offset") { Description = "Skip this many (default 0)" };
        var limit = new Option<int>("--limit") { Description = $"At most this many (default 50, at most {MaxLimit})", DefaultValueFactory = _ => 50 };
        var command = ApiCommand.Create("dead-letter:list", "List a queue's dead-lettered jobs: id, name, attempts, when it failed, the error", context, p => $"list the dead letters of queue '{p.GetValue(queue)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                int skip = parseResult.GetValue(offset);
                int take = parseResult.GetValue(limit);
                if (skip < 0 || take is < 1 or > MaxLimit)
                {
                    await context.Error.WriteLineAsync($"[ERROR] --offset must be 0 or more and --limit 1 to {MaxLimit}.");
                    return ExitCodes.Usage;
                }

                var query = ApiClient.Query(("offset", skip.ToString(CultureInfo.InvariantCulture)), ("limit", take.ToString(CultureInfo.InvariantCulture)));
                var body = await client.GetAsync(Path(parseResult.GetRequiredValue(queue)) + query, cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, Render);
            });
        command.Arguments.Add(queue);
        command.Options.Add(offset);
        command.Options.Add(limit);
        return command;
    }

    private static Command Retry(CliContext context)
    {
        var queue = QueueCommands.QueueArgument();
        var ids = Ids();
        var command = ApiCommand.Create("dead-letter:retry", "Retry a queue's dead-lettered jobs (all, or those given with --id): they wait again with fresh attempts", context,
            p => $"retry the dead letters of queue '{p.GetValue(queue)}'",
            async (parseResult, client, _, cancellationToken) =>
            {
                var name = parseResult.GetRequiredValue(queue);
                var body = Body(parseResult.GetValue(ids));
                var response = body is null
                    ? await client.PostJsonAsync(Path(name) + "/retry", cancellationToken)
                    : await client.PostJsonAsync(Path(name) + "/retry", body, cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, $"Retried {Formats.Count(response.Integer("retried") ?? 0)} dead-lettered job(s) of queue '{name}'.");
            });
        command.Arguments.Add(queue);
        command.Options.Add(ids);
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var queue = QueueCommands.QueueArgument();
        var ids = Ids();
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking" };
        var command = ApiCommand.Create("dead-letter:delete", "Delete a queue's dead-lettered jobs (all, or those given with --id) for good; asks first unless --yes (an admin key)", context,
            p => $"delete the dead letters of queue '{p.GetValue(queue)}'",
            async (parseResult, client, _, cancellationToken) =>
            {
                var name = parseResult.GetRequiredValue(queue);
                var chosen = parseResult.GetValue(ids);
                if (!parseResult.GetValue(yes))
                {
                    // The count comes from the queue itself (and a queue that does not exist is refused before anyone is asked).
                    var what = chosen is { Length: > 0 }
                        ? $"{chosen.Length} dead-lettered job(s) ({string.Join(", ", chosen)})"
                        : $"all {Formats.Count((await client.GetJsonAsync($"/api/queues/{ApiClient.Segment(name)}", cancellationToken)).Integer("failed") ?? 0)} dead-lettered job(s)";
                    if (!await ConfirmAsync(context, $"Delete {what} of queue '{name}' for good? [y/N] ", cancellationToken))
                    {
                        await context.Error.WriteLineAsync("[ERROR] Not confirmed; nothing was deleted. Pass --yes to delete without asking.");
                        return ExitCodes.Usage;
                    }
                }

                var body = Body(chosen);
                var response = body is null
                    ? await client.DeleteJsonAsync(Path(name), cancellationToken)
                    : await client.DeleteJsonAsync(Path(name), body, cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, $"Deleted {Formats.Count(response.Integer("deleted") ?? 0)} dead-lettered job(s) of queue '{name}'.");
            });
        command.Arguments.Add(queue);
        command.Options.Add(ids);
        command.Options.Add(yes);
        return command;
    }

    /// <summary>Asks on standard error (standard output stays the answer's); true only for y or yes. No input to read is a no.</summary>
    private static async Task<bool> ConfirmAsync(CliContext context, string question, CancellationToken cancellationToken)
    {
        if (context.Input is null)
        {
            return false;
        }

        await context.Error.WriteAsync(question);
        await context.Error.FlushAsync(cancellationToken);
        var answer = (await context.Input.ReadLineAsync(cancellationToken))?.Trim();
        return answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Id, Name, Attempts, Failed at, Error; "No dead letters." when there are none.</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var jobs = response.Member("jobs") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (jobs.Length == 0)
        {
            console.WriteLine($"Queue '{response.String("queue")}' has no dead letters{(response.Integer("offset") is > 0 ? " past this offset" : "")}.");
            return;
        }

        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Id", "Name", "Attempts", "Failed at", "Error");
        foreach (var job in jobs)
        {
            table.AddRow(
                new Text(job.String("id") ?? "?"),
                new Text(job.String("name") ?? "-"),
                new Text($"{job.Integer("attempts") ?? 0}/{job.Integer("maxAttempts") ?? 0}"),
                new Text(job.Member("finishedAt").Text() ?? "-"),
                new Text(job.String("error") ?? "-"));
        }

        console.Write(table);
    }
}

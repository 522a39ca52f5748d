using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin queue:list</c> (GET /api/queues: every registered worker's queue with its depth by state), <c>queue:pause QUEUE</c> and
/// <c>queue:resume QUEUE</c> (POST /api/queues/{queue}/pause|resume: a paused queue keeps its jobs but leases none); each with
/// <c>--json</c>.
/// </summary>
internal static class QueueCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return List(context);
        yield return Act(context, "pause", "Pause a queue: its jobs stay, none is started until it resumes", "paused");
        yield return Act(context, "resume", "Resume a paused queue", "resumed");
    }

    /// <summary>The QUEUE argument of the queue and dead-letter commands.</summary>
    public static Argument<string> QueueArgument() => new("queue") { Description = "The queue's name" };

    private static Command List(CliContext context) => ApiCommand.Create(
        "queue:list",
        "List the queues of the registered workers: paused or not, jobs waiting, delayed, active, completed, dead-lettered, cancelled",
        context,
        _ => "list the queues",
        async (parseResult, client, console, cancellationToken) =>
            await JsonOutput.ShowAsync(parseResult, await client.GetAsync("/api/queues", cancellationToken), context.Output, console, Render));

    private static Command Act(CliContext context, string action, string description, string done)
    {
        var queue = QueueArgument();
        var command = ApiCommand.Create($"queue:{action}", description, context, p => $"{action} queue '{p.GetValue(queue)}'",
            async (parseResult, client, _, cancellationToken) =>
            {
                var name = parseResult.GetRequiredValue(queue);
                var response = await client.PostJsonAsync($"/api/queues/{ApiClient.Segment(name)}/{action}", cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, $"Queue '{name}' {done}.");
            });
        command.Arguments.Add(queue);
        return command;
    }

    /// <summary>Queue, State, Waiting, Delayed, Active, Completed, Dead-lettered, Cancelled; "No queues found." when there are none.</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var queues = response.Member("queues") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (queues.Length == 0)
        {
            console.WriteLine("No queues found.");
            return;
        }

        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Queue", "State", "Waiting", "Delayed", "Active", "Completed", "Dead-lettered", "Cancelled");
        foreach (var q in queues)
        {
            table.AddRow(
                new Text(q.String("queue") ?? "?"),
                new Text(q.Bool("paused") == true ? "paused" : "active"),
                new Text(Formats.Count(q.Integer("waiting") ?? 0)),
                new Text(Formats.Count(q.Integer("delayed") ?? 0)),
                new Text(Formats.Count(q.Integer("active") ?? 0)),
                new Text(Formats.Count(q.Integer("completed") ?? 0)),
                new Text(Formats.Count(q.Integer("failed") ?? 0)),
                new Text(Formats.Count(q.Integer("cancelled") ?? 0)));
        }

        console.Write(table);
    }
}

using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary><c>zin job:logs QUEUE ID [--json]</c>: the lines a job's processor logged (<c>context.Log</c>), oldest first.</summary>
internal static class JobLogsCommand
{
    public static Command Create(CliContext context)
    {
        var queue = new Argument<string>("queue") { Description = "The job's queue" };
        var id = new Argument<string>("id") { Description = "The job's id" };
        var command = ApiCommand.Create("job:logs", "Show the lines a job's processor logged", context, p => $"read the logs of job '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                var path = $"/api/queues/{ApiClient.Segment(parseResult.GetRequiredValue(queue))}/jobs/{ApiClient.Segment(parseResult.GetRequiredValue(id))}/logs";
                return await JsonOutput.ShowAsync(parseResult, await client.GetAsync(path, cancellationToken), context.Output, console, Render);
            });
        command.Arguments.Add(queue);
        command.Arguments.Add(id);
        return command;
    }

    private static void Render(JsonElement response, IAnsiConsole console)
    {
        var lines = response.Member("lines") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (response.Integer("dropped") is { } dropped && dropped > 0)
        {
            console.WriteLine($"({Formats.Count(dropped)} older line(s) dropped)");
        }

        if (lines.Length == 0)
        {
            console.WriteLine($"[INFO] Job '{response.String("id")}' has no log lines.");
            return;
        }

        foreach (var line in lines)
        {
            console.WriteLine($"{((JsonElement?)line.Member("time")).Text()}  #{line.Integer("attempt")}  {line.String("message")}");
        }
    }
}

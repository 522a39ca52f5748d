using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin queue:prune [--hours N] [--queue NAME] [--dead-letters] [--json]</c> (also <c>zin queue prune</c>): deletes completed
/// and cancelled jobs that finished more than N hours ago (default 168), in one queue or in all; with <c>--dead-letters</c> (an
/// admin key) dead-lettered ones too. A terminal shows a spinner while the queues are swept.
/// </summary>
internal static class QueuePruneCommand
{
    public const int DefaultHours = 168;
    public const int MaxHours = 24 * 365 * 10;

    public static Command Create(CliContext context, string name)
    {
        var hours = new Option<int>("--hours") { Description = $"Prune jobs that finished more than this many hours ago (default {DefaultHours}, 7 days)", DefaultValueFactory = _ => DefaultHours };
        var queue = new Option<string?>("--queue") { Description = "Only this queue (default: all queues)" };
        var deadLetters = new Option<bool>("--dead-letters") { Description = "Delete dead-lettered jobs too (needs an admin key)" };
        var command = ApiCommand.Create(
            name,
            "Delete finished jobs (completed, cancelled; dead-lettered with --dead-letters) older than --hours",
            context,
            r => r.GetValue(queue) is { } q ? $"prune queue '{q}'" : "prune the queues",
            async (parseResult, client, console, cancellationToken) =>
            {
                int age = parseResult.GetValue(hours);
                if (age is < 1 or > MaxHours)
                {
                    await context.Error.WriteLineAsync($"[ERROR] --hours must be 1 to {MaxHours}.");
                    return ExitCodes.Usage;
                }

                var target = parseResult.GetValue(queue);
                var query = ApiClient.Query(("hours", age.ToString(CultureInfo.InvariantCulture)), ("deadLetters", parseResult.GetValue(deadLetters) ? "true" : null));
                var path = target is null ? "/api/queues/prune" : $"/api/queues/{ApiClient.Segment(target)}/prune";
                var response = await Waiting.RunAsync(context, parseResult, console, target is null ? "Pruning the queues..." : $"Pruning queue '{target}'...",
                    () => client.PostJsonAsync(path + query, cancellationToken));
                if (JsonOutput.Requested(parseResult))
                {
                    await context.Output.WriteLineAsync(response.GetRawText());
                    return ExitCodes.Success;
                }

                foreach (var line in Describe(response, target, age))
                {
                    await context.Output.WriteLineAsync(line);
                }

                return ExitCodes.Success;
            });
        command.Options.Add(hours);
        command.Options.Add(queue);
        command.Options.Add(deadLetters);
        return command;
    }

    /// <summary>
    /// One queue: <c>{"pruned", "olderThanHours"}</c>. All queues: <c>{"pruned", "queues": [...]}</c>, where each
    /// entry may be a queue name or an object with its name and count (listed when counts are given).
    /// </summary>
    public static IEnumerable<string> Describe(JsonElement response, string? queue, int hours)
    {
        long pruned = response.Integer("pruned") ?? 0;
        long age = response.Integer("olderThanHours") ?? hours;
        string what = response.Member("deadLetters") is { ValueKind: JsonValueKind.True } ? "finished job(s), dead letters included," : "finished job(s)";
        if (queue is not null)
        {
            yield return $"[INFO] Pruned {Formats.Count(pruned)} {what} older than {age} hours from queue '{queue}'.";
            yield break;
        }

        var queues = response.Member("queues") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        yield return $"[INFO] Pruned {Formats.Count(pruned)} {what} older than {age} hours from {queues.Length} queue(s).";
        foreach (var entry in queues)
        {
            if (entry.ValueKind == JsonValueKind.Object && (entry.String("queue") ?? entry.String("name")) is { } name && entry.Integer("pruned") is { } count)
            {
                yield return $"[INFO]   {name}: {Formats.Count(count)}";
            }
        }
    }
}

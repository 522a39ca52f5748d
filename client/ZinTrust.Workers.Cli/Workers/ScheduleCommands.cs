using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin schedule:list [--json]</c>, <c>schedule:show ID [--json]</c>,
/// <c>schedule:create ID QUEUE (--cron EXPR [--tz ZONE] | --every-ms N [--offset-ms N]) [--payload JSON] [--overlap P] [--catchup-ms N] [--pause-on-failure] [--replace]</c>,
/// <c>schedule:pause ID [--note TEXT]</c>, <c>schedule:resume ID [--note TEXT]</c>, <c>schedule:trigger ID</c>,
/// <c>schedule:backfill ID FROM TO</c> and <c>schedule:delete ID</c>.
/// </summary>
internal static class ScheduleCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return List(context);
        yield return Show(context);
        yield return CreateCommand(context);
        yield return Note(context, "schedule:pause", "Pause a schedule (occurrences while paused do not run later)", "pause");
        yield return Note(context, "schedule:resume", "Resume a schedule from its next occurrence after now", "resume");
        yield return Act(context, "schedule:trigger", "Enqueue one job of a schedule now", "trigger");
        yield return Backfill(context);
        yield return Delete(context);
    }

    private static Argument<string> Id() => new("id") { Description = "The schedule's id" };

    private static string Path(string id, string? action = null) => $"/api/schedules/{ApiClient.Segment(id)}{(action is null ? "" : "/" + action)}";

    private static Command List(CliContext context)
    {
        var command = ApiCommand.Create("schedule:list", "List the schedules with their next run times", context, _ => "list the schedules",
            async (parseResult, client, console, cancellationToken) =>
                await JsonOutput.ShowAsync(parseResult, await client.GetAsync("/api/schedules", cancellationToken), context.Output, console, RenderList));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = Id();
        var command = ApiCommand.Create("schedule:show", "Show a schedule with its latest occurrences", context, p => $"show schedule '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
                await JsonOutput.ShowAsync(parseResult, await client.GetAsync(Path(parseResult.GetRequiredValue(id)), cancellationToken), context.Output, console,
                    (response, c) => RenderOne(response.Object("schedule") ?? response, c)));
        command.Arguments.Add(id);
        return command;
    }

    private static Command CreateCommand(CliContext context)
    {
        var id = Id();
        var queue = new Argument<string>("queue") { Description = "The queue each occurrence enqueues to" };
        var cron = new Option<string?>("--cron") { Description = "A cron expression (five fields, or six with seconds first)" };
        var zone = new Option<string?>("--tz") { Description = "The cron expression's IANA time zone (default UTC)" };
        var every = new Option<long?>("--every-ms") { Description = "A fixed interval in milliseconds (instead of --cron)" };
        var offset = new Option<long?>("--offset-ms") { Description = "Shifts the interval's occurrences" };
        var payload = new Option<string?>("--payload") { Description = "The jobs' payload as JSON (default null)" };
        var overlap = new Option<string?>("--overlap") { Description = "skip (default) | bufferOne | allowAll | cancelOther" };
        var catchup = new Option<long?>("--catchup-ms") { Description = "Occurrences missed during downtime at most this old still run (default 60000)" };
        var pauseOnFailure = new Option<bool>("--pause-on-failure") { Description = "Pause when one of its jobs is dead-lettered" };
        var replace = new Option<bool>("--replace") { Description = "Replace the schedule if it exists" };
        var command = ApiCommand.Create("schedule:create", "Create (or with --replace, replace) a recurring job", context, p => $"create schedule '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                JsonElement? body = null;
                if (parseResult.GetValue(payload) is { } raw)
                {
                    try
                    {
                        using var document = JsonDocument.Parse(raw);
                        body = document.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        throw new ApiErrorException(null, "--payload is not JSON (for example '{\"report\":\"daily\"}').", "INVALID_JSON");
                    }
                }

                var scheduleId = parseResult.GetRequiredValue(id);
                var request = new Dictionary<string, object?>
                {
                    ["id"] = scheduleId,
                    ["queue"] = parseResult.GetRequiredValue(queue),
                    ["cron"] = parseResult.GetValue(cron),
                    ["timeZone"] = parseResult.GetValue(zone),
                    ["everyMs"] = parseResult.GetValue(every),
                    ["offsetMs"] = parseResult.GetValue(offset),
                    ["payload"] = body,
                    ["overlap"] = parseResult.GetValue(overlap),
                    ["catchupWindowMs"] = parseResult.GetValue(catchup),
                    ["pauseOnFailure"] = parseResult.GetValue(pauseOnFailure),
                };
                var json = JsonSerializer.Serialize(request.Where(p => p.Value is not null).ToDictionary());
                var response = parseResult.GetValue(replace)
                    ? await client.PutJsonAsync(Path(scheduleId), json, cancellationToken)
                    : await client.PostJsonAsync("/api/schedules", json, cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, "Schedule created");
            });
        command.Arguments.Add(id);
        command.Arguments.Add(queue);
        foreach (var option in new Option[] { cron, zone, every, offset, payload, overlap, catchup, pauseOnFailure, replace })
        {
            command.Options.Add(option);
        }

        return command;
    }

    private static Command Note(CliContext context, string name, string description, string action)
    {
        var id = Id();
        var note = new Option<string?>("--note") { Description = "Why (kept with the schedule)" };
        var command = ApiCommand.Create(name, description, context, p => $"{action} schedule '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                var response = await client.PostJsonAsync(Path(parseResult.GetRequiredValue(id), action), JsonSerializer.Serialize(new { note = parseResult.GetValue(note) }), cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, "Done");
            });
        command.Arguments.Add(id);
        command.Options.Add(note);
        return command;
    }

    private static Command Act(CliContext context, string name, string description, string action)
    {
        var id = Id();
        var command = ApiCommand.Create(name, description, context, p => $"{action} schedule '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                var response = await client.PostJsonAsync(Path(parseResult.GetRequiredValue(id), action), cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, "Done");
            });
        command.Arguments.Add(id);
        return command;
    }

    private static Command Backfill(CliContext context)
    {
        var id = Id();
        var from = new Argument<DateTimeOffset>("from") { Description = "The range's start (ISO 8601)" };
        var to = new Argument<DateTimeOffset>("to") { Description = "The range's end (ISO 8601, not in the future)" };
        var command = ApiCommand.Create("schedule:backfill", "Enqueue each occurrence of a past range once", context, p => $"backfill schedule '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                var body = JsonSerializer.Serialize(new { from = parseResult.GetValue(from), to = parseResult.GetValue(to) });
                var response = await client.PostJsonAsync(Path(parseResult.GetRequiredValue(id), "backfill"), body, cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, "Done");
            });
        command.Arguments.Add(id);
        command.Arguments.Add(from);
        command.Arguments.Add(to);
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var id = Id();
        var command = ApiCommand.Create("schedule:delete", "Delete a schedule (its jobs stay)", context, p => $"delete schedule '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                var response = await client.DeleteJsonAsync(Path(parseResult.GetRequiredValue(id)), cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, "Schedule deleted");
            });
        command.Arguments.Add(id);
        return command;
    }

    private static void RenderList(JsonElement response, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Schedule", "Queue", "When", "Next run", "State", "Enqueued", "Skipped", "Missed");
        foreach (var s in response.Member("schedules") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : default)
        {
            table.AddRow(new Text(s.String("id") ?? ""), new Text(s.String("queue") ?? ""), new Text(When(s)), new Text(((JsonElement?)s.Member("nextRunAt")).Text() ?? "-"),
                new Text(s.Bool("paused") == true ? "paused" : "active"), new Text(Formats.Count(s.Integer("enqueued") ?? 0)),
                new Text(Formats.Count(s.Integer("skipped") ?? 0)), new Text(Formats.Count(s.Integer("missed") ?? 0)));
        }

        console.Write(table);
    }

    private static void RenderOne(JsonElement s, IAnsiConsole console)
    {
        console.WriteLine($"Schedule {s.String("id")} on queue {s.String("queue")}: {When(s)}, overlap {s.String("overlap")}");
        console.WriteLine($"Next run: {((JsonElement?)s.Member("nextRunAt")).Text()}   {(s.Bool("paused") == true ? $"paused by {s.String("pausedBy") ?? "?"}: {s.String("pauseNote")}" : "active")}");
        console.WriteLine($"Enqueued {s.Integer("enqueued")}, skipped {s.Integer("skipped")}, missed {s.Integer("missed")}; last job {s.String("lastJobId") ?? "-"}");
        foreach (var f in s.Member("recent") is { ValueKind: JsonValueKind.Array } recent ? recent.EnumerateArray() : default)
        {
            console.WriteLine($"  {((JsonElement?)f.Member("occurrence")).Text()}  {f.String("outcome")}  {f.String("jobId") ?? ""}  {f.String("note") ?? ""}");
        }
    }

    private static string When(JsonElement s) =>
        s.String("cron") is { } cron ? $"cron '{cron}' {s.String("timeZone") ?? "UTC"}" : $"every {Formats.Count(s.Integer("everyMs") ?? 0)} ms";
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// A worker's replicas: <c>zin worker:scaling NAME</c> (GET /api/workers/{name}/scaling: bounds, the manual override, the
/// auto-scaler's decisions), <c>worker:scale NAME REPLICAS [--hold-minutes N]</c> (POST /scale: set the replicas now; the
/// auto-scaler holds off for N minutes, default 30) and <c>worker:scale-clear NAME</c> (DELETE /scaling/override: hand the
/// worker back to the auto-scaler now); each with <c>--json</c>.
/// </summary>
internal static class ScalingCommands
{
    /// <summary>The longest hold the service accepts: a week.</summary>
    public const int MaxHoldMinutes = 7 * 24 * 60;

    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Show(context);
        yield return Scale(context);
        yield return Clear(context);
    }

    private static Command Show(CliContext context) => WorkerArguments.ForWorker(
        "worker:scaling",
        "Show a worker's scaling: replicas, auto-scaling bounds, a manual override, the auto-scaler's latest decisions and why",
        context,
        worker => $"get the scaling of worker '{worker}'",
        async (worker, parseResult, client, console, cancellationToken) =>
            await JsonOutput.ShowAsync(parseResult, await client.GetAsync($"/api/workers/{ApiClient.Segment(worker)}/scaling", cancellationToken), context.Output, console, Render));

    private static Command Scale(CliContext context)
    {
        var replicas = new Argument<int>("replicas") { Description = "How many replicas to run (1 or more)" };
        var hold = new Option<int?>("--hold-minutes") { Description = $"How long the auto-scaler leaves this alone, 0 to {MaxHoldMinutes} (default 30; 0: it may change it at its next run)" };
        var command = WorkerArguments.ForWorker(
            "worker:scale",
            "Set a worker's replicas now (a manual override: the auto-scaler holds off for --hold-minutes)",
            context,
            worker => $"scale worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                int count = parseResult.GetValue(replicas);
                var minutes = parseResult.GetValue(hold);
                if (count < 1)
                {
                    await context.Error.WriteLineAsync("[ERROR] REPLICAS must be 1 or more (stop the worker to run none).");
                    return ExitCodes.Usage;
                }

                if (minutes is < 0 or > MaxHoldMinutes)
                {
                    await context.Error.WriteLineAsync($"[ERROR] --hold-minutes must be 0 to {MaxHoldMinutes} (a week).");
                    return ExitCodes.Usage;
                }

                var body = JsonSerializer.Serialize(new { replicas = count, holdMinutes = minutes });
                var response = await Waiting.RunAsync(context, parseResult, console, $"Scaling worker '{worker}' to {count} replica(s)...",
                    () => client.PostJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/scale", body, cancellationToken));
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, $"Worker '{worker}' scaled to {count} replicas.");
            });
        command.Arguments.Add(replicas);
        command.Options.Add(hold);
        return command;
    }

    private static Command Clear(CliContext context) => WorkerArguments.ForWorker(
        "worker:scale-clear",
        "End a worker's manual scaling override now: the auto-scaler manages its replicas again",
        context,
        worker => $"clear the scaling override of worker '{worker}'",
        async (worker, parseResult, client, _, cancellationToken) =>
            await JsonOutput.MessageAsync(parseResult, await client.DeleteJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/scaling/override", cancellationToken), context.Output,
                $"The auto-scaler manages worker '{worker}' again."));

    /// <summary>A line of replicas and whether it is auto-scaled (with its bounds), the override, then the decisions newest last.</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var auto = response.Bool("autoScaled") == true;
        var bounds = response.Object("bounds") is { } b
            ? string.Create(CultureInfo.InvariantCulture, $" ({b.Integer("minReplicas")} to {b.Integer("maxReplicas")} replicas, up above {b.Integer("scaleUpThreshold")} waiting, down below {b.Integer("scaleDownThreshold")}, cooldown {Formats.Duration(b.Number("cooldownMs") ?? 0)})")
            : "";
        console.WriteLine($"Worker {response.String("name")}: {response.Integer("replicas")} replica(s); auto-scaled: {(auto ? "yes" + bounds : "no")}");
        console.WriteLine(response.Member("overrideUntil").Text() is { } until ? $"Manual override until {until}" : "No manual override");
        var decisions = response.Member("decisions") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (decisions.Length == 0)
        {
            console.WriteLine("No scaling decisions yet.");
            return;
        }

        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("At", "From", "To", "Applied", "By", "Reason");
        foreach (var d in decisions)
        {
            table.AddRow(
                new Text(d.Member("at").Text() ?? "-"),
                new Text(d.Integer("from")?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                new Text(d.Integer("to")?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                new Text(d.Bool("applied") == true ? "yes" : "no"),
                new Text(d.String("source") ?? "-"),
                new Text(d.String("reason") ?? ""));
        }

        console.Write(table);
    }
}

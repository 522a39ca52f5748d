using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin canary:start NAME VERSION [--traffic N] [--steps 10,25,50,100] [--duration-ms N] [--no-auto-rollback]</c>,
/// <c>canary:status NAME</c>, <c>canary:pause|resume|rollback|complete NAME</c>: /api/workers/{name}/canary/*; each with
/// <c>--json</c>.
/// </summary>
internal static class CanaryCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Start(context);
        yield return StatusCommand(context);
        foreach (var (action, description) in new[]
        {
            ("pause", "Hold a canary at its step (traffic stays split)"),
            ("resume", "Resume a paused canary"),
            ("rollback", "Roll a canary back: all traffic to the stable version"),
            ("complete", "Promote a canary now: the stable replicas roll to its version"),
        })
        {
            yield return Act(context, action, description);
        }
    }

    private static Command Start(CliContext context)
    {
        var version = new Argument<string>("version") { Description = "The registered version to send traffic to (x.y.z)" };
        var traffic = new Option<double?>("--traffic") { Description = "The first step's share of jobs, percent (default 10)" };
        var steps = new Option<string?>("--steps") { Description = "Traffic steps in percent, comma-separated, ending at 100 (default 10,25,50,100)" };
        var duration = new Option<long?>("--duration-ms") { Description = "The whole deployment in milliseconds, spread over the steps (default 3600000)" };
        var noRollback = new Option<bool>("--no-auto-rollback") { Description = "Never roll back on its own" };
        var command = WorkerArguments.ForWorker(
            "canary:start",
            "Start a canary of a registered version: a share of the queue's jobs by job id, stepped up to 100 %",
            context,
            worker => $"start a canary of worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var body = new Dictionary<string, object?> { ["newVersion"] = parseResult.GetRequiredValue(version) };
                if (parseResult.GetValue(traffic) is { } t)
                {
                    body["trafficPercentage"] = t;
                }

                if (parseResult.GetValue(steps) is { } s)
                {
                    body["steps"] = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                        .Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
                }

                if (parseResult.GetValue(duration) is { } d)
                {
                    body["duration"] = d;
                }

                if (parseResult.GetValue(noRollback))
                {
                    body["autoRollback"] = false;
                }

                var response = await client.PostJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/canary/start", JsonSerializer.Serialize(body), cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, response, context.Output, console, Render);
            });
        command.Arguments.Add(version);
        command.Options.Add(traffic);
        command.Options.Add(steps);
        command.Options.Add(duration);
        command.Options.Add(noRollback);
        return command;
    }

    private static Command StatusCommand(CliContext context)
    {
        var command = WorkerArguments.ForWorker(
            "canary:status",
            "Show a worker's canary: versions, traffic, step, health, error rate and p95 per version, decisions",
            context,
            worker => $"get the canary of worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var body = await client.GetAsync($"/api/workers/{ApiClient.Segment(worker)}/canary/status", cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, Render);
            });
        return command;
    }

    private static Command Act(CliContext context, string action, string description) => WorkerArguments.ForWorker(
        $"canary:{action}",
        description,
        context,
        worker => $"{action} the canary of worker '{worker}'",
        async (worker, parseResult, client, console, cancellationToken) =>
        {
            var response = await client.PostJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/canary/{action}", cancellationToken);
            return await JsonOutput.ShowAsync(parseResult, response, context.Output, console, Render);
        });

    /// <summary>A line of what the canary is doing, a table of the two versions, and its decisions.</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Canary of {response.String("worker")}: {response.String("canaryVersion")} against {response.String("stableVersion")}, {response.String("state")}, {response.Number("trafficPercentage")}% of jobs, health {response.Integer("health")}/100"));
        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Version", "Completed", "Failed", "Error rate", "p95 ms", "Health");
        if (response.Object("versions") is { } versions)
        {
            foreach (var side in new[] { "stable", "canary" })
            {
                if (versions.Object(side) is { } v)
                {
                    table.AddRow(
                        new Text($"{v.String("version")} ({side})"),
                        new Text(Formats.Count(v.Integer("completed") ?? 0)),
                        new Text(Formats.Count(v.Integer("failed") ?? 0)),
                        new Text(Formats.Percent(100 * (v.Number("errorRate") ?? 0))),
                        new Text(v.Number("p95Ms") is { } p95 ? Formats.Number(p95) : "-"),
                        new Text(((JsonElement?)v.Member("health")).Text() ?? "-"));
                }
            }
        }

        console.Write(table);
        foreach (var decision in response.Member("decisions") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : Enumerable.Empty<JsonElement>())
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{((JsonElement?)decision.Member("at")).Text()}  {decision.String("action")}  {decision.Number("fromPercent")}% -> {decision.Number("toPercent")}%  {decision.String("reason")}"));
        }
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin resource:alerts [--state active|resolved|all] [--limit N]</c> (GET /api/resources/alerts: active alerts first, then the
/// recent resolved ones, each with when and why) and <c>zin resource:trends [--hours N]</c> (GET /api/resources/trends: per metric and
/// subject, the rate per hour and direction of a least-squares line over the window); each with <c>--json</c>.
/// </summary>
internal static class ResourceAlertCommands
{
    public const int MaxLimit = 1000;
    public const int MaxHours = 24;
    private static readonly string[] States = ["active", "resolved", "all"];

    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Alerts(context);
        yield return Trends(context);
    }

    private static Command Alerts(CliContext context)
    {
        var state = new Option<string>("--state") { Description = "active, resolved or all (default all: active ones first)", DefaultValueFactory = _ => "all" };
        var limit = new Option<int>("--limit") { Description = $"At most this many alerts (default 100, at most {MaxLimit})", DefaultValueFactory = _ => 100 };
        var command = ApiCommand.Create("resource:alerts", "Show the cluster's alerts (health score, failure rate, queue depth and wait, CPU, memory, cost): active and recent, with when and why", context,
            _ => "read the alerts",
            async (parseResult, client, console, cancellationToken) =>
            {
                var chosen = parseResult.GetValue(state)?.Trim().ToLowerInvariant();
                int take = parseResult.GetValue(limit);
                if (!States.Contains(chosen) || take is < 1 or > MaxLimit)
                {
                    await context.Error.WriteLineAsync($"[ERROR] --state must be active, resolved or all, and --limit 1 to {MaxLimit}.");
                    return ExitCodes.Usage;
                }

                var query = ApiClient.Query(("state", chosen), ("limit", take.ToString(CultureInfo.InvariantCulture)));
                var body = await client.GetAsync("/api/resources/alerts" + query, cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, RenderAlerts);
            });
        command.Options.Add(state);
        command.Options.Add(limit);
        return command;
    }

    private static Command Trends(CliContext context)
    {
        var hours = new Option<int>("--hours") { Description = $"The window: the last N hours (default 1, at most {MaxHours})", DefaultValueFactory = _ => 1 };
        var command = ApiCommand.Create("resource:trends", "Show trends of the alerted metrics over a window: rate per hour and direction per silo, queue and worker", context,
            _ => "read the trends",
            async (parseResult, client, console, cancellationToken) =>
            {
                int window = parseResult.GetValue(hours);
                if (window is < 1 or > MaxHours)
                {
                    await context.Error.WriteLineAsync($"[ERROR] --hours must be 1 to {MaxHours}.");
                    return ExitCodes.Usage;
                }

                var body = await client.GetAsync("/api/resources/trends" + ApiClient.Query(("hours", window.ToString(CultureInfo.InvariantCulture))), cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, RenderTrends);
            });
        command.Options.Add(hours);
        return command;
    }

    /// <summary>A line on resource alerts when they are off, then Severity, State, Rule, Subject, Value, Threshold, Since, Why;
    /// "No alerts." when there are none.</summary>
    public static void RenderAlerts(JsonElement response, IAnsiConsole console)
    {
        if (response.Bool("enabled") == false)
        {
            console.WriteLine("Alerts are off on this cluster (WORKER_ALERTS=false).");
        }
        else if (response.Object("resourceAlerts") is { } resources && resources.Bool("enabled") == false)
        {
            console.WriteLine(resources.String("detail") ?? "Resource alerts disabled.");
        }

        var alerts = response.Member("alerts") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (alerts.Length == 0)
        {
            console.WriteLine("No alerts.");
            return;
        }

        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Severity", "State", "Rule", "Subject", "Value", "Threshold", "Since", "Why");
        foreach (var a in alerts)
        {
            var unit = a.String("unit") ?? "";
            bool active = a.String("state") == "active";
            table.AddRow(
                new Text(a.String("severity") ?? "?"),
                new Text(active ? "active" : $"resolved {Time(a.String("resolvedAt"))}"),
                new Text(a.String("rule") ?? "?"),
                new Text(a.String("subject") ?? "?"),
                new Text(Value(a.Number("value"), unit)),
                new Text(Value(a.Number("threshold"), unit)),
                new Text(Time(a.String("since"))),
                new Text((active ? a.String("message") : a.String("resolution")) ?? ""));
        }

        console.Write(table);
        console.WriteLine($"{Formats.Count(response.Integer("active") ?? 0)} active, {Formats.Count(response.Integer("resolved") ?? 0)} resolved kept.");
    }

    /// <summary>Metric, Subject, Points, Last, Rate/hour, Direction; "No trends." when there are none.</summary>
    public static void RenderTrends(JsonElement response, IAnsiConsole console)
    {
        var trends = response.Member("trends") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        console.WriteLine($"Trends over the last {Formats.Number(response.Number("hours") ?? 1)} hour(s) ({response.String("method") ?? "least-squares"}):");
        if (trends.Length == 0)
        {
            console.WriteLine("No trends.");
            return;
        }

        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Metric", "Subject", "Points", "Last", "Rate/hour", "Direction");
        foreach (var t in trends)
        {
            var unit = t.String("unit") ?? "";
            table.AddRow(
                new Text(t.String("metric") ?? "?"),
                new Text(t.String("subject") ?? "?"),
                new Text(Formats.Count(t.Integer("points") ?? 0)),
                new Text(Value(t.Number("last"), unit)),
                new Text(t.Number("ratePerHour") is { } rate ? (rate >= 0 ? "+" : "") + Formats.Number(rate) : "-"),
                new Text(t.String("direction") ?? "unknown"));
        }

        console.Write(table);
    }

    private static string Value(double? value, string unit) => value switch
    {
        null => "-",
        { } v when unit == "percent" => Formats.Percent(v),
        { } v when unit == "jobs" => Formats.Count((long)Math.Round(v)),
        { } v when unit == "seconds" => Formats.Duration(v * 1000),
        { } v when unit == "score" => Formats.Number(v),
        { } v => $"{Formats.Number(v)} {unit}",
    };

    private static string Time(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}

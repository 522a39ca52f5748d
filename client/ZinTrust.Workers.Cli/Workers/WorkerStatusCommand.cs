using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary><c>zin worker:status NAME [--json]</c>: GET /api/workers/{name}/status as the seed's status block.</summary>
internal static class WorkerStatusCommand
{
    public static Command Create(CliContext context) => WorkerArguments.ForWorker(
        "worker:status",
        "Show a worker's live status: health, concurrency in use, job counters",
        context,
        worker => $"get the status of worker '{worker}'",
        async (worker, parseResult, client, console, cancellationToken) =>
            await JsonOutput.ShowAsync(parseResult, await client.GetAsync($"/api/workers/{ApiClient.Segment(worker)}/status", cancellationToken), context.Output, console, Render));

    /// <summary>
    /// The block: status, health (a 0..100 score when the service gives one, else its last health check),
    /// version, queue, concurrency in use, and the job metrics; for a failed worker its last error, since when it is failed
    /// and how to recover.
    /// </summary>
    public static void Render(JsonElement status, IAnsiConsole console)
    {
        console.Heading($"Worker Status: {status.String("name") ?? "?"}");
        console.Field("Status", StatusMarkup(status.String("status")));
        console.PlainField("Health", Health(status));
        console.PlainField("Version", status.String("version") ?? "-");
        console.PlainField("Queue", status.String("queueName") ?? "-");
        console.PlainField("Concurrency", $"{Whole(status.Integer("inFlight") ?? 0)}/{Whole(status.Integer("concurrency") ?? 0)}");
        console.WriteLine("Metrics:");
        long completed = status.Integer("completed") ?? 0;
        long failed = status.Integer("failed") ?? 0;
        console.PlainField("Jobs Completed", Formats.Count(completed), indent: 2);
        console.PlainField("Jobs Failed", Formats.Count(failed), indent: 2);

        // successRate is on the 0..100 scale (ApiMapping rounds 100 * completed / runs to one decimal); null before the first run.
        console.PlainField("Success Rate", status.Number("successRate") is { } rate ? Formats.Percent(rate) : "n/a", indent: 2);
        console.PlainField("Avg Duration", completed + failed > 0 && status.Number("averageDurationMs") is { } ms ? Formats.Duration(ms) : "n/a", indent: 2);
        if (status.String("lastError") is { } lastError)
        {
            console.PlainField("Last Error", lastError);
        }

        if (status.Object("failure") is { } failure)
        {
            // Why it is failed is the Last Error above; this says since when, and what kind of failure (HEALTH_CHECK_FAILED…).
            console.PlainField("Failed Since", $"{failure.String("at") ?? "?"} ({failure.String("code") ?? "?"})");
            console.PlainField("Recovery", $"zin worker:restart {status.String("name") ?? "NAME"}");
        }
    }

    /// <summary>"95/100" from <c>healthScore</c>; otherwise healthy / unhealthy (with the check's message) / unknown.</summary>
    public static string Health(JsonElement status)
    {
        if (status.Number("healthScore") is { } score)
        {
            return $"{Math.Round(score).ToString("0", CultureInfo.InvariantCulture)}/100";
        }

        var health = status.Object("health");
        return health?.Bool("healthy") switch
        {
            true => "healthy",
            false when health?.String("message") is { Length: > 0 } message => $"unhealthy ({message})",
            false => "unhealthy",
            null => "unknown",
        };
    }

    private static string StatusMarkup(string? status) => status switch
    {
        "running" => "[green]✓ Active[/]",
        "stopped" => "[grey]✗ Stopped[/]",
        "failed" => "[red]✗ Failed[/]",
        "starting" => "[yellow]⟳ Starting[/]",
        "draining" => "[yellow]⟳ Draining[/]",
        null => "unknown",
        _ => Markup.Escape(status),
    };

    private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);
}

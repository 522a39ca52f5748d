using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin worker:metrics NAME [--period hour|day|month] [--limit N] [--json]</c>: GET /api/workers/{name}/metrics. Without a
/// period, the live figures of the running replicas; with one, the worker's durable buckets of that length (UTC) as a table.
/// </summary>
internal static class WorkerMetricsCommand
{
    public static Command Create(CliContext context)
    {
        var period = new Option<string?>("--period") { Description = "hour, day or month: the durable per-period metrics (kept 48 hours, 62 days, 24 months) instead of the live ones" };
        period.AcceptOnlyFromAmong("hour", "day", "month");
        var limit = new Option<int?>("--limit") { Description = "With --period: the newest N periods (default: every one kept)" };
        var command = WorkerArguments.ForWorker(
            "worker:metrics",
            "Show a worker's metrics: live counters and run times, or with --period its durable hourly, daily or monthly figures",
            context,
            worker => $"get the metrics of worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var length = parseResult.GetValue(period);
                var query = ApiClient.Query(("period", length), ("limit", length is null ? null : parseResult.GetValue(limit)?.ToString(CultureInfo.InvariantCulture)));
                var body = await client.GetAsync($"/api/workers/{ApiClient.Segment(worker)}/metrics{query}", cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, length is null ? RenderLive : RenderPeriods);
            });
        command.Options.Add(period);
        command.Options.Add(limit);
        return command;
    }

    /// <summary>The live block: counters of the running replicas, run-time percentiles, throughput and the queue's retries.</summary>
    public static void RenderLive(JsonElement metrics, IAnsiConsole console)
    {
        console.Heading($"Worker Metrics: {metrics.String("name") ?? "?"}");
        long completed = metrics.Integer("completed") ?? 0;
        long failed = metrics.Integer("failed") ?? 0;
        console.PlainField("Jobs Completed", Formats.Count(completed));
        console.PlainField("Jobs Failed", Formats.Count(failed));
        console.PlainField("Success Rate", metrics.Number("successRate") is { } rate ? Formats.Percent(rate) : "n/a");
        console.PlainField("Avg Duration", completed + failed > 0 && metrics.Number("averageDurationMs") is { } ms ? Formats.Duration(ms) : "n/a");
        console.PlainField("p50 / p95 / p99", $"{Ms(metrics, "p50Ms")} / {Ms(metrics, "p95Ms")} / {Ms(metrics, "p99Ms")}");
        console.PlainField("Throughput", metrics.Number("throughputPerMinute") is { } perMinute ? Formats.Number(perMinute) + "/min" : "n/a");
        console.PlainField("Retried", Formats.Count(metrics.Integer("retried") ?? 0));
        console.PlainField("Dead-lettered", Formats.Count(metrics.Integer("deadLettered") ?? 0));
        console.PlainField("In Flight", Formats.Count(metrics.Integer("inFlight") ?? 0));
    }

    /// <summary>One row per period, oldest first; then how many are kept, the percentiles' error and the last write.</summary>
    public static void RenderPeriods(JsonElement history, IAnsiConsole console)
    {
        var length = history.String("period") ?? "day";
        console.Heading($"Worker Metrics by {length}: {history.String("name") ?? "?"} (UTC)");
        var buckets = history.Member("buckets") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().ToArray() : [];
        if (buckets.Length == 0)
        {
            var adjective = length switch { "hour" => "hourly", "month" => "monthly", _ => "daily" };
            console.WriteLine($"No {adjective} metrics yet: they are collected while the worker runs.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Square);
            table.AddColumns("Period", "Runs", "Completed", "Failed", "Success", "Retried", "Dead", "Avg", "p50", "p95", "p99", "Max");
            foreach (var bucket in buckets)
            {
                table.AddRow(
                    new Text(Start(bucket, length)),
                    new Text(Formats.Count(bucket.Integer("runs") ?? 0)),
                    new Text(Formats.Count(bucket.Integer("completed") ?? 0)),
                    new Text(Formats.Count(bucket.Integer("failed") ?? 0)),
                    new Text(bucket.Number("successRate") is { } rate ? Formats.Percent(rate) : "-"),
                    new Text(Formats.Count(bucket.Integer("retried") ?? 0)),
                    new Text(Formats.Count(bucket.Integer("deadLettered") ?? 0)),
                    new Text(Ms(bucket, "averageMs", "-")),
                    new Text(Ms(bucket, "p50Ms", "-")),
                    new Text(Ms(bucket, "p95Ms", "-")),
                    new Text(Ms(bucket, "p99Ms", "-")),
                    new Text(Ms(bucket, "maxMs", "-")));
            }

            console.Write(table);
        }

        var error = history.Number("percentileRelativeError") is { } e ? (e * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "5 %";
        var kept = history.Integer("retention") is { } retention ? $"{retention} {length}s kept" : "kept";
        var saved = history.Member("savedAt") is { ValueKind: JsonValueKind.String } at ? $"; saved {at.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC" : "";
        console.WriteLine($"{kept}; run times within {error}{saved}");
    }

    /// <summary>How a period's start reads: "2026-01-31 14:00" (hour), "2026-01-31" (day), "2026-01" (month).</summary>
    private static string Start(JsonElement bucket, string length)
    {
        if (bucket.Member("start") is not { ValueKind: JsonValueKind.String } start)
        {
            return "?";
        }

        var utc = start.GetDateTimeOffset().UtcDateTime;
        return utc.ToString(length switch { "hour" => "yyyy-MM-dd HH:mm", "month" => "yyyy-MM", _ => "yyyy-MM-dd" }, CultureInfo.InvariantCulture);
    }

    private static string Ms(JsonElement element, string member, string missing = "n/a") =>
        element.Number(member) is { } ms ? Formats.Duration(ms) : missing;
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary><c>zin worker:summary [--json]</c>: GET /api/workers/system/summary as the seed's summary block.</summary>
internal static class WorkerSummaryCommand
{
    public static Command Create(CliContext context) => ApiCommand.Create(
        "worker:summary",
        "Show the system-wide summary: workers by status, job counts, and health, resources and costs when the service reports them",
        context,
        _ => "get the system summary",
        async (parseResult, client, console, cancellationToken) =>
            await JsonOutput.ShowAsync(parseResult, await client.GetAsync("/api/workers/system/summary", cancellationToken), context.Output, console, Render));

    /// <summary>
    /// Workers and jobs always; the Health line, "Resources:" and "Costs (24h):" only when the service sends
    /// <c>averageHealth</c>, <c>resources</c> and <c>costs</c> (each may be missing or null); within Resources, the Disk I/O and
    /// Network lines only when it has those rates (the resource monitor runs, on a platform that tells).
    /// </summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var summary = response.Object("summary") ?? response;
        console.Heading("Worker Management System Summary");
        var workers = new StringBuilder($"{Count(summary, "total")} total ({Count(summary, "running")} active, {Count(summary, "stopped")} stopped");
        foreach (var (member, label) in new[] { ("failed", "failed"), ("transitioning", "starting or draining"), ("inactive", "inactive") })
        {
            if (summary.Integer(member) is > 0 and var n)
            {
                workers.Append(CultureInfo.InvariantCulture, $", {n} {label}");
            }
        }

        console.PlainField("Workers", workers.Append(')').ToString());
        if (summary.Number("averageHealth") is { } health)
        {
            console.PlainField("Health", $"{Grade(health)} (avg {Math.Round(health).ToString("0", CultureInfo.InvariantCulture)}/100)");
        }

        console.PlainField("Jobs", $"{Count(summary, "waiting")} waiting, {Count(summary, "delayed")} delayed, {Count(summary, "active")} active, {Count(summary, "deadLettered")} dead-lettered");
        if (summary.Object("resources") is { } resources)
        {
            console.WriteLine("Resources:");
            if (resources.Number("cpuPercent") is { } cpu)
            {
                console.PlainField("CPU", Formats.Number(cpu) + "%", indent: 2);
            }

            if (resources.Number("memoryUsedBytes") is { } used)
            {
                var total = resources.Number("memoryTotalBytes") is { } all ? " / " + Formats.Bytes(all) : "";
                console.PlainField("Memory", Formats.Bytes(used) + total, indent: 2);
            }

            // The resource monitor's latest throughput: disk as the seed's one figure (read + write), the network in and out.
            if (Sum(resources, "diskReadBytesPerSecond", "diskWriteBytesPerSecond") is { } disk)
            {
                console.PlainField("Disk I/O", Rate(disk), indent: 2);
            }

            if (resources.Number("networkReceiveBytesPerSecond") is { } received && resources.Number("networkTransmitBytesPerSecond") is { } sent)
            {
                console.PlainField("Network", $"{Rate(received)} in, {Rate(sent)} out", indent: 2);
            }
        }

        if (summary.Object("costs") is { } costs)
        {
            console.WriteLine("Costs (24h):");
            var currency = costs.String("currency");
            foreach (var (member, label) in new[] { ("compute", "Compute"), ("storage", "Storage"), ("total", "Total") })
            {
                if (costs.Number(member) is { } amount)
                {
                    console.PlainField(label, Formats.Money(amount, currency), indent: 2);
                }
            }
        }
    }

    /// <summary>The seed's grades: Excellent ≥ 90, Good ≥ 75, Fair ≥ 50, Poor below.</summary>
    public static string Grade(double averageHealth) => averageHealth switch
    {
        >= 90 => "Excellent",
        >= 75 => "Good",
        >= 50 => "Fair",
        _ => "Poor",
    };

    private static string Count(JsonElement summary, string member) => Formats.Count(summary.Integer(member) ?? 0);

    /// <summary>Bytes per second in the summary's units: "120.0 MB/s".</summary>
    private static string Rate(double bytesPerSecond) => Formats.Bytes(bytesPerSecond) + "/s";

    /// <summary>The sum of the members that are numbers; null when neither is.</summary>
    private static double? Sum(JsonElement element, string first, string second) =>
        (element.Number(first), element.Number(second)) switch
        {
            (null, null) => null,
            var (a, b) => (a ?? 0) + (b ?? 0),
        };
}

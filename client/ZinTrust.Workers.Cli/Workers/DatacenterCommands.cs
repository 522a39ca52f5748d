using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin datacenter:regions [--json]</c>, <c>datacenter:register ID [--name N] [--lat X --lon Y] [--capacity N]</c>,
/// <c>datacenter:topology [--json]</c>, <c>worker:placement NAME [REGION] [--priority P] [--affinity a,b]</c> and
/// <c>worker:failover NAME PRIMARY SECONDARY [--interval-ms N] [--failback-hold-ms N] [--manual]</c>; each with <c>--json</c>.
/// </summary>
internal static class DatacenterCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Regions(context);
        yield return Register(context);
        yield return TopologyCommand(context);
        yield return Placement(context);
        yield return Failover(context);
    }

    private static Command Regions(CliContext context) =>
        Show(context, "datacenter:regions", "List the regions: registered ones and those the silos declare", "list the regions", "/api/datacenters/regions", RenderRegions);

    private static Command Register(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The region's id as silos declare it in SILO_REGION (for example us-west)" };
        var name = new Option<string?>("--name") { Description = "A display name" };
        var lat = new Option<double?>("--lat") { Description = "Latitude, -90..90" };
        var lon = new Option<double?>("--lon") { Description = "Longitude, -180..180" };
        var capacity = new Option<int?>("--capacity") { Description = "Replicas the region is meant to carry" };
        var command = ApiCommand.Create("datacenter:register", "Register a region (or replace its name, location and capacity)", context, p => $"register region '{p.GetValue(id)}'",
            async (parseResult, client, console, cancellationToken) =>
            {
                var body = new Dictionary<string, object?> { ["id"] = parseResult.GetRequiredValue(id), ["name"] = parseResult.GetValue(name), ["capacity"] = parseResult.GetValue(capacity) };
                if (parseResult.GetValue(lat) is { } la && parseResult.GetValue(lon) is { } lo)
                {
                    body["location"] = new { lat = la, lon = lo };
                }

                var response = await client.PostJsonAsync("/api/datacenters/regions", JsonSerializer.Serialize(body), cancellationToken);
                return await JsonOutput.MessageAsync(parseResult, response, context.Output, "Region registered");
            });
        command.Arguments.Add(id);
        command.Options.Add(name);
        command.Options.Add(lat);
        command.Options.Add(lon);
        command.Options.Add(capacity);
        return command;
    }

    private static Command TopologyCommand(CliContext context) =>
        Show(context, "datacenter:topology", "Show the regions with their silos and health, replicas per worker, latency between regions", "get the topology", "/api/datacenters/topology", RenderTopology);

    /// <summary>A read of one route, rendered, or printed as it came with --json.</summary>
    private static Command Show(CliContext context, string name, string description, string failure, string path, Action<JsonElement, IAnsiConsole> render)
    {
        var command = ApiCommand.Create(name, description, context, _ => failure,
            async (parseResult, client, console, cancellationToken) =>
                await JsonOutput.ShowAsync(parseResult, await client.GetAsync(path, cancellationToken), context.Output, console, render));
        return command;
    }

    private static Command Placement(CliContext context)
    {
        var region = new Argument<string?>("region") { Description = "Place the worker in this region (omit to show where it runs)", Arity = ArgumentArity.ZeroOrOne };
        var priority = new Option<string?>("--priority") { Description = "low | normal | high | critical" };
        var affinity = new Option<string?>("--affinity") { Description = "Affinity labels, comma-separated" };
        var command = WorkerArguments.ForWorker("worker:placement", "Show where a worker's replicas run, or place them in a region", context, worker => $"place worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                JsonElement response;
                if (parseResult.GetValue(region) is { } target)
                {
                    var body = new Dictionary<string, object?>
                    {
                        ["region"] = target,
                        ["priority"] = parseResult.GetValue(priority),
                        ["affinityRules"] = parseResult.GetValue(affinity)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    };
                    response = await client.PutJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/placement", JsonSerializer.Serialize(body), cancellationToken);
                }
                else
                {
                    response = await client.GetJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/placement", cancellationToken);
                }

                return await JsonOutput.ShowAsync(parseResult, response, context.Output, console, (r, c) => RenderPlacement(r.Object("placement") ?? r, c));
            });
        command.Arguments.Add(region);
        command.Options.Add(priority);
        command.Options.Add(affinity);
        return command;
    }

    private static Command Failover(CliContext context)
    {
        var primary = new Argument<string>("primary") { Description = "The primary region (where the worker runs)" };
        var secondary = new Argument<string>("secondary") { Description = "The region it fails over to" };
        var interval = new Option<long?>("--interval-ms") { Description = "How long the primary must be down before the move, and how often it is checked (default 30000)" };
        var hold = new Option<long?>("--failback-hold-ms") { Description = "How long the primary must be healthy before the replicas move back (default 300000)" };
        var manual = new Option<bool>("--manual") { Description = "Record the policy without automatic failover" };
        var command = WorkerArguments.ForWorker("worker:failover", "Set a worker's failover policy between two regions", context, worker => $"set the failover policy of worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var body = new Dictionary<string, object?>
                {
                    ["primaryRegion"] = parseResult.GetRequiredValue(primary),
                    ["secondaryRegion"] = parseResult.GetRequiredValue(secondary),
                    ["autoFailover"] = !parseResult.GetValue(manual),
                    ["healthCheckInterval"] = parseResult.GetValue(interval),
                    ["failbackHold"] = parseResult.GetValue(hold),
                };
                var response = await client.PutJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/failover", JsonSerializer.Serialize(body), cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, response, context.Output, console, (r, c) => RenderPlacement(r.Object("placement") ?? r, c));
            });
        command.Arguments.Add(primary);
        command.Arguments.Add(secondary);
        command.Options.Add(interval);
        command.Options.Add(hold);
        command.Options.Add(manual);
        return command;
    }

    private static void RenderRegions(JsonElement response, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Region", "Name", "Location", "Capacity", "Registered");
        foreach (var r in Array(response, "regions"))
        {
            var location = r.Object("location") is { } l ? string.Create(CultureInfo.InvariantCulture, $"{l.Number("lat")}, {l.Number("lon")}") : "-";
            table.AddRow(new Text(r.String("id") ?? ""), new Text(r.String("name") ?? ""), new Text(location), new Text(Formats.Count(r.Integer("capacity") ?? 0)), new Text(r.Bool("registered") == true ? "yes" : "declared by a silo"));
        }

        console.Write(table);
    }

    private static void RenderTopology(JsonElement response, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Square);
        table.AddColumns("Region", "Healthy", "Silos", "Replicas");
        foreach (var r in Array(response, "regions"))
        {
            var silos = Array(r, "silos");
            var replicas = r.Object("replicas") is { } map ? string.Join(", ", map.EnumerateObject().Select(p => $"{p.Name} {p.Value}")) : "";
            table.AddRow(
                new Text(r.Object("region")?.String("id") ?? ""),
                new Text(r.Bool("healthy") == true ? "yes" : "NO"),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{silos.Count(s => s.String("status") == "active")} active of {silos.Length}")),
                new Text(replicas.Length == 0 ? "-" : replicas));
        }

        console.Write(table);
        foreach (var l in Array(response, "latencies"))
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{l.String("from")} -> {l.String("to")}: {(l.Number("milliseconds") is { } ms ? Formats.Number(ms) + " ms" : "no answer")}"));
        }

        foreach (var w in Array(response, "workers"))
        {
            console.WriteLine($"{w.String("worker")}: in {w.String("region") ?? "any region"} ({w.String("failoverState")})");
        }
    }

    private static void RenderPlacement(JsonElement p, IAnsiConsole console)
    {
        console.WriteLine($"Worker {p.String("worker")} runs in {p.String("region") ?? "any region"}; failover: {p.String("failoverState")}");
        if (p.Object("failover") is { } f)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Failover {f.String("primaryRegion")} -> {f.String("secondaryRegion")}, automatic: {(f.Bool("autoFailover") == true ? "yes" : "no")}, after {Formats.Duration(f.Number("healthCheckInterval") ?? 0)} down, back after {Formats.Duration(f.Number("failbackHold") ?? 0)} healthy"));
        }

        foreach (var m in Array(p, "moves"))
        {
            console.WriteLine($"{((JsonElement?)m.Member("at")).Text()}  {m.String("kind")}  {m.String("from") ?? "(any)"} -> {m.String("to") ?? "(any)"}  {m.String("reason")}");
        }
    }

    private static JsonElement[] Array(JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Array } list ? [.. list.EnumerateArray()] : [];
}

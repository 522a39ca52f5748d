using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary><c>zin worker:show NAME [--json]</c>: GET /api/workers/{name}, the definition field by field.</summary>
internal static class WorkerShowCommand
{
    public static Command Create(CliContext context)
    {
        var command = WorkerArguments.ForWorker(
            "worker:show",
            "Show a worker's definition: queue, version, processor, job options, features, timestamps",
            context,
            worker => $"get worker '{worker}'",
            async (worker, parseResult, client, console, cancellationToken) =>
            {
                var body = await client.GetAsync($"/api/workers/{ApiClient.Segment(worker)}", cancellationToken);
                return await JsonOutput.ShowAsync(parseResult, body, context.Output, console, Render);
            });
        return command;
    }

    /// <summary>A heading and a two-column grid: every field of the worker, nested ones as dotted paths (jobOptions.backoff.type).</summary>
    public static void Render(JsonElement response, IAnsiConsole console)
    {
        var worker = response.Object("worker") ?? response;
        console.Heading($"Worker: {worker.String("name") ?? "?"}");
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (field, value) in Flatten(worker, ""))
        {
            grid.AddRow(new Text(field), new Text(value));
        }

        console.Write(grid);
    }

    /// <summary>Leaf fields in order: objects recurse, arrays of scalars join with ", ", nulls and empty objects read "-".</summary>
    public static IEnumerable<(string Field, string Value)> Flatten(JsonElement element, string prefix)
    {
        foreach (var property in element.EnumerateObject())
        {
            var path = prefix + property.Name;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any())
            {
                foreach (var leaf in Flatten(value, path + "."))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (path, value.ValueKind switch
                {
                    JsonValueKind.Null or JsonValueKind.Object => "-",
                    JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) =>
                        value.GetArrayLength() == 0 ? "-" : string.Join(", ", value.EnumerateArray().Select(v => ((JsonElement?)v).Text())),
                    _ => ((JsonElement?)value).Text() ?? "-",
                });
            }
        }
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>
/// The OpenAPI document is complete enough for a generated client: every operation under /api has a summary, its path
/// parameters, the query parameters docs/rest-api.md names for it, a success response with a schema (or none by design: 202
/// and 204, server-sent events), problem responses with the problem schema, and the API-key security scheme.
/// </summary>
[Collection(nameof(SiloCollection))]
public sealed partial class OpenApiCompletenessTests(SiloFixture fixture)
{
    [Fact]
    public async Task EveryOperation_HasItsParameters_ResponsesWithSchemas_AndTheSecurityScheme()
    {
        var document = await (await fixture.Client.Get("/openapi/v1.json")).Json();
        var documented = DocumentedQueries();
        var gaps = new List<string>();

        if (document.GetProperty("components").TryGetProperty("securitySchemes", out var schemes) && schemes.TryGetProperty("ApiKey", out var scheme))
        {
            Assert.Equal(("apiKey", "header", "X-Api-Key"), (scheme.Str("type"), scheme.Str("in"), scheme.Str("name")));
        }
        else
        {
            gaps.Add("no ApiKey security scheme");
        }

        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                string where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var op = operation.Value;
                if (string.IsNullOrWhiteSpace(op.Str("summary")))
                {
                    gaps.Add($"{where}: no summary");
                }

                var parameters = op.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray().ToList() : [];
                foreach (Match m in PathParameter().Matches(path.Name))
                {
                    if (!parameters.Any(p => p.Str("in") == "path" && p.Str("name") == m.Groups[1].Value))
                    {
                        gaps.Add($"{where}: path parameter {m.Groups[1].Value} undeclared");
                    }
                }

                var queries = parameters.Where(p => p.Str("in") == "query").Select(p => p.Str("name")).ToHashSet(StringComparer.Ordinal);
                if (documented.TryGetValue((operation.Name.ToUpperInvariant(), path.Name), out var names))
                {
                    foreach (var name in names.Where(n => !queries.Contains(n)))
                    {
                        gaps.Add($"{where}: query parameter {name} (in docs/rest-api.md) undeclared");
                    }
                }

                if (!op.TryGetProperty("security", out var security) || !security.EnumerateArray().Any(s => s.TryGetProperty("ApiKey", out _)))
                {
                    gaps.Add($"{where}: no ApiKey security requirement");
                }

                var responses = op.GetProperty("responses").EnumerateObject().ToList();
                var success = responses.Where(r => r.Name.StartsWith('2')).ToList();
                if (success.Count == 0)
                {
                    gaps.Add($"{where}: no success response");
                }

                foreach (var response in success.Where(r => r.Name is not ("202" or "204")))
                {
                    if (!response.Value.TryGetProperty("content", out var content) || !content.EnumerateObject().Any(c => c.Name == "text/event-stream" || c.Value.TryGetProperty("schema", out _)))
                    {
                        gaps.Add($"{where}: {response.Name} without a schema");
                    }
                }

                foreach (var problem in responses.Where(r => r.Name.StartsWith('4') || r.Name.StartsWith('5')))
                {
                    if (!problem.Value.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        gaps.Add($"{where}: {problem.Name} is not a problem");
                    }
                }

                if (!responses.Any(r => r.Name == "401"))
                {
                    gaps.Add($"{where}: no 401");
                }
            }
        }

        Assert.True(gaps.Count == 0, $"{gaps.Count} gaps:\n" + string.Join("\n", gaps));
    }

    /// <summary>
    /// What the document declares is what the routes answer: every GET under /api that answers 200 JSON (on a worker with a
    /// queue, a job and a version) has exactly the top-level fields of its declared schema, so a client generated from the
    /// document reads the real answers.
    /// </summary>
    [Fact]
    public async Task EveryGetAnswer_HasTheFieldsOfItsDeclaredSchema()
    {
        var client = fixture.Client;
        Assert.Equal(System.Net.HttpStatusCode.Created, (await client.PostJson("/api/workers", new { name = "oa-shape", queueName = "oa-shape-q", processor = "echo" })).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.Post("/api/workers/oa-shape/start")).StatusCode);
        var job = (await (await client.PostJson("/api/queues/oa-shape-q/jobs", """{"payload":{"n":1}}""")).Json()).Str("id");
        var document = await (await client.Get("/openapi/v1.json")).Json();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = "oa-shape", ["queue"] = "oa-shape-q", ["id"] = job, ["version"] = "1.0.0",
        };
        var mismatches = new List<string>();
        int compared = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            if (!path.Value.TryGetProperty("get", out var get) || get.GetProperty("responses").TryGetProperty("200", out var ok) is false
                || !ok.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json)
                || Shapes(json.GetProperty("schema"), schemas) is not { Count: > 0 } shapes)
            {
                continue;
            }

            var url = PathParameter().Replace(path.Name, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : "unknown");
            if (url.Contains("unknown", StringComparison.Ordinal))
            {
                continue;
            }

            using var response = await client.Get(url);
            if (response.StatusCode != System.Net.HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                continue;   // no such resource here (a canary, a schedule): its shape is checked where one exists
            }

            var answer = await response.Json();
            var actual = answer.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
            compared++;
            if (!shapes.Any(declared => declared.SequenceEqual(actual)))
            {
                mismatches.Add($"GET {path.Name}: declared {string.Join(" or ", shapes.Select(d => $"[{string.Join(", ", d)}]"))}, answered [{string.Join(", ", actual)}]");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} answers differ from their schema:\n" + string.Join("\n", mismatches));
        Assert.True(compared >= 20, $"only {compared} answers compared");
    }

    /// <summary>The top-level field names of each shape a schema allows (a reference, an object, or oneOf them), sorted.</summary>
    private static List<string[]> Shapes(JsonElement schema, JsonElement schemas)
    {
        if (schema.TryGetProperty("oneOf", out var alternatives))
        {
            return [.. alternatives.EnumerateArray().SelectMany(a => Shapes(a, schemas))];
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } name && name.StartsWith("#/components/schemas/", StringComparison.Ordinal))
        {
            return Shapes(schemas.GetProperty(name["#/components/schemas/".Length..]), schemas);
        }

        return schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties)
            ? [[.. properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)]]
            : [];
    }

    /// <summary>Routes of docs/rest-api.md's table with the query parameters they name (<c>/api/x?a&amp;b</c>), by method.</summary>
    private static Dictionary<(string Method, string Path), string[]> DocumentedQueries()
    {
        var table = File.ReadAllLines(Path.Combine(ZinTrust.Workers.Testing.Repository.Root, "docs", "rest-api.md")).Where(l => l.StartsWith("| ", StringComparison.Ordinal));
        var routes = new Dictionary<(string, string), string[]>();
        foreach (var line in table)
        {
            var cells = line.Split(" | ");
            if (cells.Length < 3)
            {
                continue;
            }

            foreach (Match m in DocumentedRoute().Matches(cells[1]))
            {
                foreach (var method in cells[0].TrimStart('|').Split('/', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    routes[(method, m.Groups["path"].Value)] = [.. m.Groups["query"].Value.Split('&').Select(q => q.Split('=')[0]).Where(q => q.Length > 0)];
                }
            }
        }

        return routes;
    }

    [GeneratedRegex(@"\{([a-zA-Z]+)\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex(@"`(?<path>/api/[^`?]+)\?(?<query>[^`]+)`")]
    private static partial Regex DocumentedRoute();
}

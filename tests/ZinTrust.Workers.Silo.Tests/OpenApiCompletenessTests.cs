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

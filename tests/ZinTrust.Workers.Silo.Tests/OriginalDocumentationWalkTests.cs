using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>
/// Walks the original ZinTrust workers documentation's HTTP examples (<see cref="OriginalDocumentationExamples"/>) against the
/// real host: each answers as the document describes or as docs/differences.md says we answer instead. The host is this
/// class's own (the examples use the document's worker names, and stop and start the cluster's one resource monitor).
/// </summary>
public sealed partial class OriginalDocumentationWalkTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private static readonly TimeSpan UntilTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public Task EveryExampleThatRunsToday_AnswersAsDocumented_OrAsDocsDifferencesSays() =>
        WalkAsync(OriginalDocumentationExamples.Walk);

    [Fact]
    public Task CreateExamples_WithAHealthCheck_AnInfrastructureBlock_AndHealthMonitoring_AnswerAsDocumented() =>
        WalkAsync(OriginalDocumentationExamples.DefinitionExamples);

    [Fact]
    public Task ResourceAlertsAndTrends_AnswerForAViewer() =>
        WalkAsync(OriginalDocumentationExamples.Alerts);

    [Fact]
    public Task MetricsByPeriod_AnswerForEachPeriod_AndRefuseAnother() =>
        WalkAsync(OriginalDocumentationExamples.MetricsByPeriod);

    /// <summary>Each difference an example points at is a section of docs/differences.md, and every example of the document
    /// names where it is and sends what the document sends.</summary>
    [Fact]
    public void EveryDifferenceAnExampleNames_IsASectionOfDocsDifferences()
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "docs", "differences.md"));
        var anchors = Heading().Matches(text).Select(m => Anchor(m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        Assert.All(
            OriginalDocumentationExamples.All.Where(e => e.Differs is not null),
            e => Assert.True(anchors.Contains(e.Differs!), $"{e}: docs/differences.md has no section #{e.Differs} (it has {string.Join(", ", anchors.Order(StringComparer.Ordinal))})"));
        Assert.All(OriginalDocumentationExamples.All, e =>
        {
            Assert.True(e.Ours == (e.Line == 0), $"{e}: an example of the document names its line, a step of ours none");
            Assert.Matches("^(GET|POST|PATCH|PUT|DELETE) /", e.Request);
            Assert.DoesNotMatch("[:{]", e.Path);
            if (e.Body is not null)
            {
                JsonDocument.Parse(e.Body).Dispose();
            }
        });
    }

    /// <summary>Runs the examples in order from a clean slate, and fails once with every example that did not answer as
    /// expected (an example that fails does not hide those after it).</summary>
    private async Task WalkAsync(IEnumerable<DocumentedExample> examples)
    {
        foreach (var worker in OriginalDocumentationExamples.Workers)
        {
            var gone = await fixture.Client.Delete($"/api/workers/{worker}");
            Assert.True(gone.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"deleting {worker} before the walk: {gone.StatusCode}");
        }

        var failures = new List<string>();
        foreach (var example in examples)
        {
            try
            {
                await RunAsync(example);
            }
            catch (Exception ex) when (ex is Xunit.Sdk.IAssertionException or KeyNotFoundException or InvalidOperationException or JsonException or FormatException)
            {
                failures.Add($"{example}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} example(s) did not answer as expected:\n" + string.Join("\n\n", failures));
    }

    private async Task RunAsync(DocumentedExample example)
    {
        var answer = example.Until is { } until
            ? await Eventually.Get(() => SendAsync(example), a => a.Status == example.Status && until(a.Body), $"{example} to satisfy its condition", UntilTimeout)
            : await SendAsync(example);
        Assert.True(answer.Status == example.Status, $"expected {(int)example.Status}, got {(int)answer.Status}: {answer.Body}");
        if (example.Status == HttpStatusCode.Created)
        {
            Assert.True(answer.Location is not null, "a 201 names the new resource in Location");
            if (example.Location is not null)
            {
                Assert.Equal(example.Location, answer.Location);
            }
        }

        if ((int)example.Status >= 400)
        {
            // Every error is a problem (RFC 9457) that also carries the original's {error, message, code}, and a trace id.
            Assert.Equal("application/problem+json", answer.MediaType);
            foreach (var member in new[] { "type", "title", "status", "detail", "error", "message", "code", "traceId" })
            {
                Assert.True(answer.Body.TryGetProperty(member, out _), $"the problem has no {member}: {answer.Body}");
            }
        }

        foreach (var (path, value) in example.Expect)
        {
            Matches(answer.Body, path, value);
        }

        example.Check?.Invoke(answer.Body);
    }

    private sealed record Answer(HttpStatusCode Status, JsonElement Body, string? Location, string? MediaType);

    private async Task<Answer> SendAsync(DocumentedExample example)
    {
        using var client = example.Role is { } role ? fixture.Factory.Client(role) : fixture.Factory.Client(null);
        using var request = new HttpRequestMessage(new HttpMethod(example.Method), example.Path);
        if (example.Body is not null || example.JsonContentType)
        {
            request.Content = new StringContent(example.Body ?? "", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonElement body = default;
        if (text.Length > 0)
        {
            using var document = JsonDocument.Parse(text);
            body = document.RootElement.Clone();
        }

        return new Answer(response.StatusCode, body, response.Headers.Location?.OriginalString, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The field at <paramref name="path"/> (dot-separated names and array indexes) has <paramref name="expected"/>:
    /// a string, a number, a bool, null, or a <see cref="JsonValueKind"/> for "present, of this kind".</summary>
    private static void Matches(JsonElement body, string path, object? expected)
    {
        var value = body;
        foreach (var segment in path.Split('.'))
        {
            var found = value.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? index < value.GetArrayLength() ? value[index] : default
                : value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var member) ? member : default;
            Assert.True(found.ValueKind != JsonValueKind.Undefined, $"the answer has no {path}: {body}");
            value = found;
        }

        switch (expected)
        {
            case null:
                Assert.True(value.ValueKind == JsonValueKind.Null, $"{path} is {value}, not null");
                break;
            case JsonValueKind kind:
                Assert.True(value.ValueKind == kind, $"{path} is {value.ValueKind}, not {kind}");
                break;
            case string text:
                Assert.True(value.ValueKind == JsonValueKind.String && value.GetString() == text, $"{path} is {value}, not \"{text}\"");
                break;
            case bool flag:
                Assert.True(value.ValueKind == (flag ? JsonValueKind.True : JsonValueKind.False), $"{path} is {value}, not {flag}");
                break;
            default:
                var number = Convert.ToDouble(expected, CultureInfo.InvariantCulture);
                Assert.True(value.ValueKind == JsonValueKind.Number && value.GetDouble() == number, $"{path} is {value}, not {number}");
                break;
        }
    }

    /// <summary>A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Anchor(string heading) =>
        new string([.. heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')]).Replace(' ', '-');

    [GeneratedRegex(@"^#{2,4} +(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}

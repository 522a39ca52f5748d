using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// Calls to the worker service's REST API. Success returns the body; an error status becomes an
/// <see cref="ApiErrorException"/> carrying the problem JSON's message and code; no answer at all becomes a
/// <see cref="ServiceUnreachableException"/>.
/// </summary>
internal sealed class ApiClient(HttpClient http, ApiEndpoint endpoint)
{
    private static readonly string UserAgent = "zin/" + (typeof(ApiClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    public ApiEndpoint Endpoint => endpoint;

    public Task<string> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, pathAndQuery, cancellationToken);

    public Task<string> PostAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, pathAndQuery, cancellationToken);

    public async Task<JsonElement> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        Parse(await GetAsync(pathAndQuery, cancellationToken));

    public async Task<JsonElement> PostJsonAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        Parse(await PostAsync(pathAndQuery, cancellationToken));

    /// <summary>POSTs a JSON body and parses the answer.</summary>
    public async Task<JsonElement> PostJsonAsync(string pathAndQuery, string json, CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Post, pathAndQuery, cancellationToken, json));

    /// <summary>PUTs a JSON body and parses the answer.</summary>
    public async Task<JsonElement> PutJsonAsync(string pathAndQuery, string json, CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Put, pathAndQuery, cancellationToken, json));

    /// <summary>DELETEs and parses the answer.</summary>
    public async Task<JsonElement> DeleteJsonAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Delete, pathAndQuery, cancellationToken));

    /// <summary>DELETEs with a JSON body (which jobs) and parses the answer.</summary>
    public async Task<JsonElement> DeleteJsonAsync(string pathAndQuery, string json, CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Delete, pathAndQuery, cancellationToken, json));

    /// <summary>A path segment (a worker or queue name) escaped for the URL.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>"?a=1&amp;b=x" from the pairs whose value is not null; "" when none is.</summary>
    public static string Query(params (string Name, string? Value)[] pairs)
    {
        var given = pairs.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return given.Length == 0 ? "" : "?" + string.Join('&', given);
    }

    public static JsonElement Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ApiErrorException(null, "The service answered with something that is not JSON; is --url / --port pointing at the worker service?", null);
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken, string? json = null)
    {
        using var request = new HttpRequestMessage(method, endpoint.Url(pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd(UserAgent);
        if (endpoint.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation(ApiEndpoint.ApiKeyHeader, key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }
        else if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            request.Content = new ByteArrayContent([]);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ServiceUnreachableException(ex.Message, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout, not the user: say so rather than "a task was canceled".
            throw new ServiceUnreachableException($"no answer within {http.Timeout.TotalSeconds:0} s (--timeout)", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            throw ToError(response, body);
        }
    }

    private static ApiErrorException ToError(HttpResponseMessage response, string body)
    {
        string? message = null;
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            message = root.String("message") ?? root.String("detail") ?? root.String("error") ?? root.String("title");
            code = root.String("code");
        }
        catch (JsonException)
        {
            // Not problem JSON (a proxy's HTML page, an empty body): fall back to the status line.
        }

        return new ApiErrorException(
            response.StatusCode,
            message ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(),
            code);
    }
}

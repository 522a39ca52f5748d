using System.Net;
using System.Text;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>
/// Answers the service gives that this build's silo cannot be made to give yet (auth is being added to the
/// service; a proxy's error page; a service that does not answer in time): a handler in place of the network.
/// </summary>
public sealed class ServiceAnswerTests
{
    [Fact]
    public async Task Unauthorized_WithoutAKey_SaysHowToGiveOne()
    {
        var service = new CannedService(HttpStatusCode.Unauthorized, """{"error":"Unauthorized","message":"An API key is required.","code":"UNAUTHORIZED"}""");

        var result = await Cli.RunAsync(["worker:list"], new Dictionary<string, string>(), service);

        Assert.Equal(1, result.ExitCode);
        Assert.Null(service.ApiKey);
        Assert.Equal(
            ["[ERROR] An API key is required. (UNAUTHORIZED)", "[INFO] The service needs an API key: pass --api-key KEY or set ZIN_API_KEY."],
            result.ErrorLines);
    }

    [Fact]
    public async Task Unauthorized_WithAKey_SaysTheKeyWasRefused_WithoutPrintingIt()
    {
        var service = new CannedService(HttpStatusCode.Unauthorized, """{"error":"Unauthorized","message":"The API key is not valid.","code":"UNAUTHORIZED"}""");

        var result = await Cli.RunAsync(["worker:stop", "emails", "--api-key", "wrong-key-1234"], new Dictionary<string, string>(), service);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("wrong-key-1234", service.ApiKey);
        Assert.Equal(
            ["[ERROR] The API key is not valid. (UNAUTHORIZED)", "[INFO] The service did not accept the API key: check --api-key or ZIN_API_KEY."],
            result.ErrorLines);
        Assert.DoesNotContain("wrong-key-1234", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_SaysTheKeyMayNotDoThis()
    {
        var service = new CannedService(HttpStatusCode.Forbidden, """{"error":"Forbidden","message":"The key's role may not start workers.","code":"FORBIDDEN"}""");

        var result = await Cli.RunAsync(["worker:start", "emails", "--api-key", "reader-key"], new Dictionary<string, string>(), service);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("[ERROR] The key's role may not start workers. (FORBIDDEN)", result.ErrorLines[0]);
        Assert.Contains("--api-key or ZIN_API_KEY", result.ErrorLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorWithoutProblemJson_PrintsTheStatusLine()
    {
        var service = new CannedService(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html");

        var result = await Cli.RunAsync(["worker:summary"], new Dictionary<string, string>(), service);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["[ERROR] HTTP 502 Bad Gateway"], result.ErrorLines);
    }

    [Fact]
    public async Task ResourceMonitor_Success_PrintsTheSeedsLines()
    {
        var service = new CannedService(HttpStatusCode.OK, """{"ok":true,"message":"Resource monitoring stopped"}""");

        var result = await Cli.RunAsync(["rm", "stop"], new Dictionary<string, string>(), service);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("http://127.0.0.1:7777/api/resources/stop", service.Url);
        Assert.Equal("POST", service.Method);
        Assert.Equal(
            ["[INFO] Sending stop request to http://127.0.0.1:7777/api/resources/stop...", "[INFO] Success: Resource monitoring stopped"],
            result.OutputLines);
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsReportedAsUnreachable()
    {
        var service = new CannedService(HttpStatusCode.OK, "{}") { Delay = TimeSpan.FromMinutes(5) };

        var result = await Cli.RunAsync(["worker:list", "--timeout", "1"], new Dictionary<string, string>(), service);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            ["[ERROR] Failed to list workers: no answer within 1 s (--timeout)", "[INFO] Ensure the worker service is running and the port is correct."],
            result.ErrorLines);
    }

    [Fact]
    public async Task ResourceMonitor_Json_PrintsTheServicesAnswerAlone()
    {
        var service = new CannedService(HttpStatusCode.OK, """{"ok":true,"message":"Resource monitoring stopped"}""");

        var result = await Cli.RunAsync(["rm", "stop", "--json"], new Dictionary<string, string>(), service);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["""{"ok":true,"message":"Resource monitoring stopped"}"""], result.OutputLines);
    }

    [Fact]
    public async Task DeadLetterDelete_WithIds_SendsThemInTheBody_OfADelete()
    {
        var service = new CannedService(HttpStatusCode.OK, """{"ok":true,"deleted":2}""");

        var result = await Cli.RunAsync(["dead-letter:delete", "emails", "--id", "j1", "--id", "j2", "--yes"], new Dictionary<string, string>(), service);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("DELETE", service.Method);
        Assert.Equal("http://127.0.0.1:7777/api/queues/emails/dead-letters", service.Url);
        Assert.Equal("""{"ids":["j1","j2"]}""", service.Body);
        Assert.Equal(["Deleted 2 dead-lettered job(s) of queue 'emails'."], result.OutputLines);
    }

    [Fact]
    public async Task DeadLetterRetry_WithoutIds_RetriesEveryOne_WithAnEmptyBody()
    {
        var service = new CannedService(HttpStatusCode.OK, """{"ok":true,"retried":1234}""");

        var result = await Cli.RunAsync(["dead-letter:retry", "emails"], new Dictionary<string, string>(), service);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("POST", service.Method);
        Assert.Equal("http://127.0.0.1:7777/api/queues/emails/dead-letters/retry", service.Url);
        Assert.Equal("", service.Body);
        Assert.Equal(["Retried 1,234 dead-lettered job(s) of queue 'emails'."], result.OutputLines);
    }

    [Fact]
    public async Task DeadLetterDelete_AskedAndAnsweredYes_Deletes()
    {
        var service = new CannedService(HttpStatusCode.OK, """{"ok":true,"deleted":1}""");

        var result = await Cli.RunAsync(["dead-letter:delete", "emails", "--id", "j1"], new Dictionary<string, string>(), service, input: "yes\n");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Delete 1 dead-lettered job(s) (j1) of queue 'emails' for good? [y/N] ", result.Error);
        Assert.Equal("DELETE", service.Method);
    }

    [Fact]
    public async Task WorkerScale_SendsReplicasAndHoldMinutes()
    {
        var service = new CannedService(HttpStatusCode.OK, """{"ok":true,"message":"Worker 'w1' scaled to 3 replicas."}""");

        var result = await Cli.RunAsync(["worker:scale", "w1", "3", "--hold-minutes", "0"], new Dictionary<string, string>(), service);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("http://127.0.0.1:7777/api/workers/w1/scale", service.Url);
        Assert.Equal("""{"replicas":3,"holdMinutes":0}""", service.Body);
        Assert.Equal(["Worker 'w1' scaled to 3 replicas."], result.OutputLines);
    }

    /// <summary>Answers every request with one status and body, noting the request it got.</summary>
    private sealed class CannedService(HttpStatusCode status, string body, string mediaType = "application/problem+json") : HttpMessageHandler
    {
        public TimeSpan Delay { get; init; }

        public string? ApiKey { get; private set; }

        public string? Url { get; private set; }

        public string? Method { get; private set; }

        /// <summary>The request's body, or null when it had none.</summary>
        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ApiKey = request.Headers.TryGetValues("X-Api-Key", out var values) ? string.Join(",", values) : null;
            Url = request.RequestUri?.ToString();
            Method = request.Method.Method;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            await Task.Delay(Delay, cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType), ReasonPhrase = null };
        }
    }
}

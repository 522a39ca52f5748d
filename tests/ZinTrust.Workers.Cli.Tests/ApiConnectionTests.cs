using System.Collections.Concurrent;
using System.Globalization;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>How the CLI finds the service and shows its key: options, environment variables, the X-Api-Key header.</summary>
public sealed class ApiConnectionTests(SiloProcess silo) : IClassFixture<SiloProcess>
{
    private string Port => silo.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task ApiKey_IsSentAsXApiKey_OnEveryCall_AndNeverPrinted()
    {
        using var recorder = new RecordingHandler();

        var ok = await Cli.RunAsync(["worker:status", "demo-worker", "--port", Port, "--api-key", SiloProcess.ApiKey], new Dictionary<string, string>(), recorder);
        var failed = await Cli.RunAsync(["worker:start", "no-such-worker", "--port", Port, "--api-key", SiloProcess.ApiKey], new Dictionary<string, string>(), recorder);

        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(1, failed.ExitCode);
        Assert.Equal([SiloProcess.ApiKey, SiloProcess.ApiKey], recorder.ApiKeys);
        foreach (var result in new[] { ok, failed })
        {
            Assert.DoesNotContain(SiloProcess.ApiKey, result.Output + result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApiKey_ComesFromZinApiKey_WhenNoOptionGivesIt()
    {
        using var recorder = new RecordingHandler();

        var result = await Cli.RunAsync(["worker:list", "--port", Port], new Dictionary<string, string> { ["ZIN_API_KEY"] = SiloProcess.ApiKey }, recorder);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([SiloProcess.ApiKey], recorder.ApiKeys);
    }

    [Fact]
    public async Task HostAndPort_ComeFromTheEnvironment()
    {
        var result = await Cli.RunAsync(["worker:list"], new Dictionary<string, string> { ["ZIN_API_HOST"] = "127.0.0.1", ["ZIN_API_PORT"] = Port, ["ZIN_API_KEY"] = SiloProcess.ApiKey });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("demo-worker", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZinApiUrl_ReplacesHostAndPort_ButAnExplicitPortWins()
    {
        var env = new Dictionary<string, string> { ["ZIN_API_URL"] = silo.Url + "/", ["ZIN_API_PORT"] = "1", ["ZIN_API_KEY"] = SiloProcess.ApiKey };

        var byUrl = await Cli.RunAsync(["worker:list"], env);
        var byOption = await Cli.RunAsync(["worker:list", "--port", "1"], new Dictionary<string, string> { ["ZIN_API_URL"] = silo.Url });
        var urlOption = await Cli.RunAsync(["worker:list", "--url", silo.Url], new Dictionary<string, string> { ["ZIN_API_URL"] = "http://127.0.0.1:1", ["ZIN_API_KEY"] = SiloProcess.ApiKey });

        Assert.True(byUrl.ExitCode == 0, byUrl.ToString());
        Assert.Equal(1, byOption.ExitCode);
        Assert.Contains("Connection refused", byOption.Error, StringComparison.Ordinal);
        Assert.True(urlOption.ExitCode == 0, urlOption.ToString());
    }

    [Theory]
    [InlineData("--port", "70000", "--port / ZIN_API_PORT must be a port number from 1 to 65535.")]
    [InlineData("--url", "ftp://example", "--url / ZIN_API_URL: 'ftp://example' is not an http(s) URL such as http://127.0.0.1:7777.")]
    [InlineData("--timeout", "0", "--timeout must be 1 to 3600 seconds.")]
    [InlineData("--api-key", "key with\nnewline", "--api-key / ZIN_API_KEY may hold only printable ASCII without spaces (it travels in an HTTP header).")]
    public async Task InvalidConnectionOption_IsAUsageError_NamingIt(string option, string value, string message)
    {
        var result = await Cli.RunAsync("worker:list", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"[ERROR] {message}"], result.ErrorLines);
    }

    [Fact]
    public async Task InvalidPortInTheEnvironment_IsAUsageError()
    {
        var result = await Cli.RunAsync(["worker:list"], new Dictionary<string, string> { ["ZIN_API_PORT"] = "seventy" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ZIN_API_PORT", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Passes every request on to the real silo and notes the X-Api-Key it carried (null when none).</summary>
    private sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly ConcurrentQueue<string?> apiKeys = new();

        public IReadOnlyList<string?> ApiKeys => [.. apiKeys];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            apiKeys.Enqueue(request.Headers.TryGetValues("X-Api-Key", out var values) ? string.Join(",", values) : null);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

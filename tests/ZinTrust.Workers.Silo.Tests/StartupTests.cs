using System.Diagnostics;
using System.Globalization;
using System.Net;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The real process: a bad setting stops start-up with a message naming it.</summary>
public sealed class StartupTests
{
    private static int nextPort = 24000 + (Environment.ProcessId % 300) * 10;

    internal static ProcessStartInfo Silo(IReadOnlyDictionary<string, string> environment)
    {
        var silo = Path.Combine(AppContext.BaseDirectory, "ZinTrust.Workers.Silo.dll");
        var start = new ProcessStartInfo("dotnet", [silo])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        int port = Interlocked.Add(ref nextPort, 3);
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["SILO_PORT"] = (port + 1).ToString(CultureInfo.InvariantCulture);
        start.Environment["GATEWAY_PORT"] = (port + 2).ToString(CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    internal static async Task<(int ExitCode, string Stderr)> RunToExit(IReadOnlyDictionary<string, string> environment)
    {
        using var process = Process.Start(Silo(environment))!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stderr);
    }

    [Theory]
    [InlineData("WORKER_CONCURRENCY", "abc")]
    [InlineData("LOG_FORMAT", "yaml")]
    [InlineData("WORKER_AUTO_START", "perhaps")]
    [InlineData("WORKER_API_RATE_LIMIT", "-5")]
    [InlineData("WORKER_API_KEYS", "ops:root:sha256:00")]
    [InlineData("WORKER_API_KEYS_FILE", "/nonexistent/keys.json")]
    [InlineData("SILO_TLS_CERTIFICATE", "/nonexistent/silo.pfx")]
    [InlineData("SILO_TLS_CA", "/nonexistent/cluster-ca.pem")]
    [InlineData("WORKER_API_CERTIFICATE", "/nonexistent/api.pfx")]
    public async Task InvalidEnvironmentVariable_StopsStartUp_NamingIt(string variable, string value)
    {
        var environment = new Dictionary<string, string> { ["WORKER_API_KEYS"] = TestKeys.Setting, [variable] = value };

        var (exitCode, stderr) = await RunToExit(environment);

        Assert.Equal(2, exitCode);
        Assert.Contains(variable, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SILO_TLS_CERTIFICATE", "SILO_TLS_PASSWORD")]
    [InlineData("WORKER_API_CERTIFICATE", "WORKER_API_CERTIFICATE_PASSWORD")]
    public async Task ACertificateThatCannotBeLoaded_StopsStartUp_NamingIt_WithoutThePasswordOrTheFile(string variable, string passwordVariable)
    {
        const string Password = "zt-certificate-password-never-printed";
        const string Content = "zt-not-a-certificate-never-printed";
        var file = Path.Combine(Directory.CreateTempSubdirectory("zt-bad-cert-").FullName, "broken.pfx");
        await File.WriteAllTextAsync(file, Content, TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, stderr) = await RunToExit(new Dictionary<string, string>
            {
                ["WORKER_API_KEYS"] = TestKeys.Setting,
                [variable] = file,
                [passwordVariable] = Password,
            });

            Assert.Equal(2, exitCode);
            Assert.Contains($"{variable}: '{file}' cannot be loaded as a certificate with its private key", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(Content, stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task OutsideDevelopment_NoKeys_StopsStartUp()
    {
        var (exitCode, stderr) = await RunToExit(new Dictionary<string, string>());

        Assert.Equal(2, exitCode);
        Assert.Contains("WORKER_API_KEYS: no API keys are configured", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_PrintsAGeneratedKey_ThatOpensTheApi()
    {
        var start = Silo(new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development", ["LOG_FORMAT"] = "json" });
        var port = start.Environment["PORT"];
        using var process = Process.Start(start)!;
        var key = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lines.Enqueue(e.Data);
            const string Marker = "Development API key (admin, this run only): ";
            if (e.Data.StartsWith(Marker, StringComparison.Ordinal))
            {
                key.TrySetResult(e.Data[Marker.Length..].Trim());
            }
        };
        process.BeginOutputReadLine();
        try
        {
            var generated = await key.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.Get("/api/workers")).StatusCode);
            http.DefaultRequestHeaders.Add("X-Api-Key", generated);
            Assert.Equal(HttpStatusCode.OK, (await http.Get("/api/workers")).StatusCode);

            // Printed for the operator, never logged: no JSON log line carries it.
            Assert.DoesNotContain(lines, l => l.StartsWith('{') && l.Contains(generated, StringComparison.Ordinal));

            // JSON lines carry an ISO 8601 UTC timestamp (nothing after the Z).
            var banner = await Eventually.Get(
                () => Task.FromResult(lines.FirstOrDefault(l => l.StartsWith('{') && l.Contains("ZinTrust workers ready", StringComparison.Ordinal))),
                l => l is not null,
                "the start-up banner is logged as JSON");
            Assert.NotNull(banner);
            using var json = System.Text.Json.JsonDocument.Parse(banner);
            var timestamp = json.RootElement.GetProperty("Timestamp").GetString()!;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", timestamp);
            var at = DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);
            Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }
}

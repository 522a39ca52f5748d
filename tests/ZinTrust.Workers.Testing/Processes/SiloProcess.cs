using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// One real silo process (the built ZinTrust.Workers.Silo.dll, or another host's <see cref="HostDll"/>; everything in
/// memory, the demo worker registered) on free ports, for a test class. The process is killed when the class is done. A
/// subclass may add variables or run another host.
/// </summary>
public class SiloProcess : IAsyncLifetime
{
    /// <summary>The key the CLI passes with --api-key; the silo knows it as "cli-admin" with role admin.</summary>
    public const string ApiKey = "zin-cli-tests-secret-key";

    private readonly StringBuilder log = new();
    private Process? process;

    public int Port { get; } = FreePort();

    /// <summary>The silo's client gateway (GATEWAY_PORT), for clients in other processes.</summary>
    public int GatewayPort { get; } = FreePort();

    public string Url => $"{Scheme}://127.0.0.1:{Port}";

    /// <summary>http, or https for a host given WORKER_API_CERTIFICATE (with <see cref="CreateHandler"/> trusting it).</summary>
    protected virtual string Scheme => "http";

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The CLI's arguments that point it at this silo (with the API key).</summary>
    public string[] Target => ["--port", Port.ToString(CultureInfo.InvariantCulture), "--api-key", ApiKey];

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public async ValueTask InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet", [HostDll])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["SILO_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["GATEWAY_PORT"] = GatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["WORKER_API_HOST"] = "127.0.0.1";
        start.Environment["WORKER_DEMO"] = "true";
        start.Environment["WORKER_API_KEYS"] = $"cli-admin:admin:sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)))}";
        start.Environment["QUEUE_DRIVER"] = "memory";
        start.Environment["WORKER_PERSISTENCE_DRIVER"] = "memory";
        start.Environment["CLUSTER_DRIVER"] = "localhost";
        start.Environment["WORKER_AUTO_START"] = "false";
        start.Environment["LOG_LEVEL"] = "warn";
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Http = new HttpClient(CreateHandler()) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string last = "no answer";
        while (true)
        {
            Assert.False(process.HasExited, $"the silo exited with {(process.HasExited ? process.ExitCode : 0)}:\n{Log}");
            try
            {
                using var answer = await Http.GetAsync("/health/live", TestContext.Current.CancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{(int)answer.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.InnerException?.Message ?? e.Message;   // not listening yet, or refused
            }

            Assert.True(DateTime.UtcNow < deadline, $"the silo did not answer /health/live on port {Port} within 90 s ({last}):\n{Log}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The handler of <see cref="Http"/> (one that trusts the host's certificate, for https).</summary>
    public virtual HttpMessageHandler CreateHandler() => new HttpClientHandler();

    /// <summary>The host's assembly: by default the shipped silo's, beside the tests.</summary>
    protected virtual string HostDll => Path.Combine(AppContext.BaseDirectory, "ZinTrust.Workers.Silo.dll");

    /// <summary>Variables set on top of the defaults above.</summary>
    protected virtual IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        Http?.Dispose();
        if (process is not null)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A worker running the built-in echo processor, created stopped through the REST API.</summary>
    public async Task<string> CreateWorkerAsync(string prefix, string queue, int concurrency = 3)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var response = await Http.PostAsJsonAsync(
            "/api/workers",
            new { name, queueName = queue, processor = "echo", concurrency, version = "2.1.0" },
            TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return name;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} gave {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        var response = await Http.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {path} gave {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>A port nobody listens on (the OS hands it out, then it is released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }
}

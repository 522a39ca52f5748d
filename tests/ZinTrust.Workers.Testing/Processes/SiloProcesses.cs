using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// Real silo processes forming one cluster: membership and worker state in a fresh PostgreSQL database,
/// jobs and reminders in Redis under fresh prefixes. Disposing kills whatever still runs.
/// </summary>
public sealed class SiloProcesses : IAsyncDisposable
{
    private readonly Dictionary<int, Process> silos = [];
    private readonly Dictionary<int, (int Http, int Silo, int Gateway)> ports = [];
    private readonly string name = Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<string, string> environment;
    private readonly string host;

    private SiloProcesses(Dictionary<string, string> environment, string host)
    {
        this.environment = environment;
        this.host = host;
    }

    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "ZinTrust.Workers.Silo.dll");

    /// <summary>The shipped host plus the fault tests' processors (<c>ledger</c>).</summary>
    public static string FaultHostDll => Path.Combine(AppContext.BaseDirectory, "ZinTrust.Workers.FaultHost.dll");

    /// <summary>The same host built as its next release: its probe grain interface is at version 2 (one more method).</summary>
    public static string FaultHostV2Dll => Path.Combine(AppContext.BaseDirectory, "faulthost-v2", "ZinTrust.Workers.FaultHost.V2.dll");

    /// <summary>Where silo output goes (kept for diagnosis after a failure).</summary>
    public static string LogDirectory => Repository.Artifacts("silo-logs");

    /// <summary>The admin key the silo processes accept (WORKER_API_KEYS holds its hash).</summary>
    public const string ApiKey = "zt_integration_admin_key_000000000000000000000";

    public static string ApiKeysSetting => ZinTrust.Workers.Server.ApiKeyRing.Entry("integration", ZinTrust.Workers.Server.ApiRole.Admin, ApiKey);

    public HttpClient Http(int silo)
    {
        // Longer than the silo's grain-call timeout (30 s): a call to a grain on a just-killed silo is the silo's to end (503).
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort(silo)}"), Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    public IReadOnlyDictionary<int, Process> Running => silos;

    /// <summary>The membership database's connection string (what a client joins through).</summary>
    public string MembershipConnectionString => environment["ConnectionStrings__default"];

    /// <summary>
    /// A fresh database (on the test PostgreSQL server) with the migrations applied, and fresh key prefixes on
    /// <paramref name="redis"/> (host:port); silos run <paramref name="host"/> (the shipped silo by default) with
    /// <paramref name="extra"/> settings.
    /// </summary>
    public static async Task<SiloProcesses> CreateAsync(string redis, CancellationToken cancellationToken, string? host = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var connectionString = await TestPostgres.FreshDatabaseAsync(migrate: false, cancellationToken);
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var endpoint = redis.Split(',')[0].Split(':');
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__default"] = connectionString,
            ["QUEUE_DRIVER"] = "redis",
            ["WORKER_PERSISTENCE_DRIVER"] = "db",
            ["CLUSTER_DRIVER"] = "postgres",
            ["REDIS_HOST"] = endpoint[0],
            ["REDIS_PORT"] = endpoint[1],
            ["QUEUE_REDIS_KEY_PREFIX"] = $"zt-it-{database}",
            ["LOG_LEVEL"] = "warn",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var processes = new SiloProcesses(env, host ?? SiloDll);
        var migrate = await processes.RunOnceAsync(["migrate"], cancellationToken);
        Assert.True(migrate.ExitCode == 0, $"migrate failed: {migrate.Stdout}{migrate.Stderr}");
        return processes;
    }

    /// <summary>Starts silo <paramref name="index"/> and waits until its /health says it is active; <paramref name="hostDll"/>
    /// runs another build of the host than the cluster's (an upgrade); <paramref name="settings"/> are this silo's own (its
    /// SILO_REGION, say).</summary>
    public async Task StartAsync(int index, CancellationToken cancellationToken, string? hostDll = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        int logged = Log(index).Length;   // what earlier runs of this silo printed
        var process = Launch(index, settings, hostDll);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (int relaunches = 0; ; )
        {
            if (process.HasExited && relaunches < 3 && Log(index)[logged..].Contains("Address already in use", StringComparison.Ordinal))
            {
                // Something took one of its ports between the OS handing them out and the silo binding them: new ports.
                relaunches++;
                ports.Remove(index);
                logged = Log(index).Length;
                process = Launch(index, settings, hostDll);
            }

            Assert.False(process.HasExited, $"silo {index} exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                using var http = Http(index);
                if ((await http.GetAsync("/health", cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"silo {index} did not become healthy");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Starts silo <paramref name="index"/> without waiting for it (<see cref="StartAsync"/> waits until it is healthy);
    /// its output goes to <see cref="Log"/>.</summary>
    public Process Launch(int index, IReadOnlyDictionary<string, string>? settings = null, string? hostDll = null)
    {
        var start = StartInfo([], environment, hostDll ?? host);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        // Ports the OS hands out (free now), kept for the silo's restarts: a fault ledger names a silo by its HTTP port.
        if (!ports.TryGetValue(index, out var taken))
        {
            ports[index] = taken = FreePorts();
        }

        start.Environment["PORT"] = taken.Http.ToString(CultureInfo.InvariantCulture);
        start.Environment["SILO_PORT"] = taken.Silo.ToString(CultureInfo.InvariantCulture);
        start.Environment["GATEWAY_PORT"] = taken.Gateway.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        var log = new StreamWriter(LogPath(index), append: true) { AutoFlush = true };   // a restart keeps the log of the run before
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        silos[index] = process;
        return process;
    }

    /// <summary>What silo <paramref name="index"/> has printed so far (all its runs in this cluster).</summary>
    public string Log(int index)
    {
        if (!File.Exists(LogPath(index)))
        {
            return "";
        }

        using var stream = new FileStream(LogPath(index), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private string LogPath(int index) => Path.Combine(LogDirectory, $"silo-{name}-{index}.log");

    /// <summary>Three distinct ports nobody listens on (held together while the OS hands them out, then released).</summary>
    private static (int Http, int Silo, int Gateway) FreePorts()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            var taken = listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
            return (taken[0], taken[1], taken[2]);
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>The silos whose process ended by itself (a crash) and when (Unix ms), removed from <see cref="Running"/>.</summary>
    public IReadOnlyList<(int Index, long At)> TakeExited()
    {
        var exited = silos.Where(s => s.Value.HasExited).Select(s => (s.Key, new DateTimeOffset(s.Value.ExitTime).ToUnixTimeMilliseconds())).ToArray();
        foreach (var (index, _) in exited)
        {
            silos[index].Dispose();
            silos.Remove(index);
        }

        return exited;
    }

    /// <summary>The HTTP port of silo <paramref name="index"/> (also the PORT the fault host's ledger names it by).</summary>
    public int HttpPort(int index) => ports[index].Http;

    /// <summary>Where test runs leave reports (the test command prints the fault ledgers from here).</summary>
    public static string ResultsDirectory => Repository.Artifacts("test-results");

    /// <summary>kill -9.</summary>
    public void Kill(int index)
    {
        silos[index].Kill(entireProcessTree: true);
        silos[index].WaitForExit();
        silos.Remove(index);
    }

    /// <summary>SIGTERM, then wait for the graceful shutdown.</summary>
    public async Task StopAsync(int index, CancellationToken cancellationToken)
    {
        using (var term = Process.Start("kill", ["-TERM", silos[index].Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await silos[index].WaitForExitAsync(timeout.Token);
        silos.Remove(index);
    }

    /// <summary>GET with retries on 503 (a silo just died: the grain behind the call re-activates elsewhere).</summary>
    public async Task<JsonElement> GetJson(int silo, string url, CancellationToken cancellationToken)
    {
        using var http = Http(silo);
        var response = await http.GetAsync(url, cancellationToken);
        for (int attempt = 0; response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 300; attempt++)
        {
            // Until membership declares a killed silo dead (about 15 s by default), calls to its grains fail fast.
            await Task.Delay(300, cancellationToken);
            response = await http.GetAsync(url, cancellationToken);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} gave {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Every completed job of <paramref name="queue"/> (all its partitions), read through silo <paramref name="silo"/> in pages of 200.</summary>
    public async Task<IReadOnlyList<JsonElement>> CompletedJobsAsync(int silo, string queue, CancellationToken cancellationToken)
    {
        var jobs = new List<JsonElement>();
        for (int offset = 0; ; offset += 200)
        {
            var page = (await GetJson(silo, $"/api/queues/{queue}/jobs?state=completed&offset={offset}&limit=200", cancellationToken)).GetProperty("jobs").EnumerateArray().ToArray();
            jobs.AddRange(page);
            if (page.Length < 200)
            {
                return jobs;
            }
        }
    }

    public async Task<JsonElement> PutJson(int silo, string url, object body, CancellationToken cancellationToken)
    {
        using var http = Http(silo);
        var response = await http.PutAsJsonAsync(url, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"PUT {url} gave {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public async Task<JsonElement> PostJson(int silo, string url, object body, CancellationToken cancellationToken)
    {
        using var http = Http(silo);
        var response = await http.PostAsJsonAsync(url, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {url} gave {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Runs the silo executable with <paramref name="args"/> and this cluster's environment, to its exit.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunOnceAsync(string[] args, CancellationToken cancellationToken) =>
        RunToExitAsync(args, environment, TimeSpan.FromSeconds(90), cancellationToken);

    /// <summary>Runs the silo executable to its exit (bounded by <paramref name="timeout"/>) and returns what it printed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(
        string[] args, IEnumerable<KeyValuePair<string, string>> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var process in silos.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        silos.Clear();
        return ValueTask.CompletedTask;
    }

    private static ProcessStartInfo StartInfo(string[] args, IEnumerable<KeyValuePair<string, string>> environment, string? host = null)
    {
        var start = new ProcessStartInfo("dotnet", [host ?? SiloDll, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["WORKER_API_KEYS"] = ApiKeysSetting;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using ZinTrust.Workers.Server;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// The shipped silo host (ZinTrust.Workers.Silo.dll, built beside the benchmark in the same configuration) as a child
/// process on the benchmark's Redis: jobs, reminders and the audit log in Redis under a key prefix of its own, worker
/// definitions in memory, localhost clustering on free ports, one admin API key, the write rate limit off (it would
/// otherwise hold one key to 200 writes a second). Its output goes to a log file. It is killed when this is disposed (the
/// scenarios dispose it also when they fail), and by an exit handler should this process exit first (SIGTERM runs it; a
/// Ctrl+C in a terminal reaches the child itself, which is in the same process group; <c>kill -9</c> leaves it running).
/// </summary>
public sealed class ChildSilo : IAsyncDisposable
{
    /// <summary>The admin key the child knows (WORKER_API_KEYS holds its hash).</summary>
    public const string ApiKey = "zt_bench_admin_key_00000000000000000000000000";

    private readonly Process process;
    private readonly StreamWriter log;
    private readonly string redis;
    private readonly EventHandler onExit;

    private ChildSilo(Process process, StreamWriter log, string redis, string prefix, int httpPort, int gatewayPort, string logPath)
    {
        this.process = process;
        this.log = log;
        this.redis = redis;
        Prefix = prefix;
        HttpPort = httpPort;
        GatewayPort = gatewayPort;
        LogPath = logPath;
        Admin = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        onExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += onExit;
    }

    /// <summary>Key prefix of everything the child writes to Redis; also its cluster and service id.</summary>
    public string Prefix { get; }

    public int HttpPort { get; }

    public int GatewayPort { get; }

    public string LogPath { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>A client for set-up and polling (its own connection pool, apart from any load generator's).</summary>
    public HttpClient Admin { get; }

    /// <summary>The child's CPU time so far (user + system).</summary>
    public TimeSpan Cpu()
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>Starts the child on <paramref name="redis"/> (host:port) and waits until <c>/health/ready</c> answers 200 (an
    /// active member whose Redis answers). <paramref name="extra"/> variables are set last (they win).</summary>
    public static async Task<ChildSilo> StartAsync(
        string redis, string logDirectory, bool dashboard, IReadOnlyDictionary<string, string> extra, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ZinTrust.Workers.Silo.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The silo host is not built beside the benchmark.", dll);
        }

        var prefix = $"zt-bench-{Guid.NewGuid():N}"[..21];
        int httpPort = BenchSilo.FreePort(), gatewayPort = BenchSilo.FreePort(), siloPort = BenchSilo.FreePort();
        var endpoint = redis.Split(',')[0];
        int colon = endpoint.LastIndexOf(':');
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            // The build folder, not the repository: the host's content root is its working directory.
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["WORKER_API_HOST"] = "127.0.0.1";
        env["PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        env["SILO_PORT"] = siloPort.ToString(CultureInfo.InvariantCulture);
        env["GATEWAY_PORT"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        env["CLUSTER_DRIVER"] = "localhost";
        env["CLUSTER_ID"] = prefix;
        env["SERVICE_ID"] = prefix;   // Redis reminders are keyed by it: never another session's
        env["QUEUE_DRIVER"] = "redis";
        env["REDIS_HOST"] = colon > 0 ? endpoint[..colon] : endpoint;
        env["REDIS_PORT"] = colon > 0 ? endpoint[(colon + 1)..] : "6379";
        env["QUEUE_REDIS_KEY_PREFIX"] = prefix;
        env["WORKER_PERSISTENCE_DRIVER"] = "memory";
        env["WORKER_PERSISTENCE_REDIS_KEY_PREFIX"] = prefix + "-state";
        env["WORKER_API_KEYS"] = ApiKeyRing.Entry("bench", ApiRole.Admin, ApiKey);
        env["WORKER_API_RATE_LIMIT"] = "0";
        env["WORKER_DEMO"] = "false";
        env["WORKER_AUTO_START"] = "false";
        env["WORKER_DASHBOARD_ENABLED"] = dashboard ? "true" : "false";
        env["LOG_LEVEL"] = "warn";
        foreach (var (key, value) in extra)
        {
            env[key] = value;
        }

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"silo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{prefix}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var silo = new ChildSilo(process, log, redis, prefix, httpPort, gatewayPort, logPath);
        try
        {
            await silo.WaitReadyAsync(TimeSpan.FromSeconds(90), cancellationToken);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a worker of the built-in echo processor on <paramref name="queue"/> (one attempt, <paramref name="retain"/>
    /// completed jobs kept) through the REST API, and starts it unless <paramref name="start"/> is false.</summary>
    public async Task CreateWorkerAsync(string name, string queue, int concurrency, int retain, CancellationToken cancellationToken, bool start = true)
    {
        var body = new { name, queueName = queue, processor = "echo", concurrency, jobOptions = new { attempts = 1, retainCompleted = retain } };
        await SendAsync(HttpMethod.Post, "/api/workers", body, cancellationToken);
        if (start)
        {
            await SendAsync(HttpMethod.Post, $"/api/workers/{name}/start", null, cancellationToken);
        }
    }

    public Task StopWorkerAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/api/workers/{name}/stop", null, cancellationToken);

    /// <summary>Jobs of <paramref name="queue"/> completed since its activation (<c>GET /api/queues/{queue}</c>, <c>counters.completed</c>).</summary>
    public async Task<long> CompletedAsync(string queue, CancellationToken cancellationToken)
    {
        using var answer = await Admin.GetAsync($"/api/queues/{queue}", cancellationToken);
        var text = await answer.Content.ReadAsStringAsync(cancellationToken);
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET /api/queues/{queue} gave {(int)answer.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("counters").GetProperty("completed").GetInt64();
    }

    /// <summary>
    /// Polls (every 5 ms) until <paramref name="queue"/> has completed <paramref name="count"/> jobs; returns the
    /// <see cref="Stopwatch"/> timestamp of the poll that saw it, and the count last seen (reported through
    /// <paramref name="seen"/> also when the deadline passes, which throws <see cref="TimeoutException"/>).
    /// </summary>
    public async Task<long> WaitForCompletedAsync(string queue, long count, TimeSpan timeout, Action<long> seen, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            long completed = await CompletedAsync(queue, cancellationToken);
            long now = Stopwatch.GetTimestamp();
            seen(completed);
            if (completed >= count)
            {
                return now;
            }

            ThrowIfExited();
            if (now > deadline)
            {
                throw new TimeoutException($"Queue {queue}: {completed} of {count} jobs completed within {timeout}.");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>Throws, naming the log, when the child has exited.</summary>
    public void ThrowIfExited()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"The silo process exited with {process.ExitCode}; its output is in {LogPath}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= onExit;
        Admin.Dispose();
        Kill();
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Killed but not yet reaped: its keys are deleted all the same.
        }

        process.Dispose();
        await log.DisposeAsync();
        // Leave nothing behind: every key the child wrote starts with its prefix (jobs, worker state and audit stream,
        // data-protection keys, and the reminders of its service id).
        var options = ConfigurationOptions.Parse(redis);
        options.AllowAdmin = true;
        await using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        var db = mux.GetDatabase();
        await foreach (var key in server.KeysAsync(pattern: Prefix + "*", pageSize: 1000))
        {
            await db.KeyDeleteAsync(key);
        }
    }

    /// <summary>The Redis server's CPU seconds so far (user + system, from <c>INFO cpu</c>): all of its clients', the child's
    /// and the benchmark's.</summary>
    public async Task<double> RedisCpuSecondsAsync() => (await BenchSilo.RedisInfoAsync(redis)).CpuSeconds;

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (true)
        {
            ThrowIfExited();
            try
            {
                using var answer = await Admin.GetAsync("/health/ready", cancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }

                last = ((int)answer.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                last = e.InnerException?.Message ?? e.Message;   // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The silo process was not ready within {timeout} ({last}); its output is in {LogPath}.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var answer = await Admin.SendAsync(request, cancellationToken);
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} gave {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                try
                {
                    log.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                    // A last line after the log was closed.
                }
            }
        }
    }
}

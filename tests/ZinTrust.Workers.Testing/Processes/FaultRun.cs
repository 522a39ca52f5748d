using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// One fault scenario on silo processes of the fault host (the shipped host plus the <c>ledger</c> processor): a worker on
/// queue <see cref="Queue"/>, a producer that enqueues through REST in batches with idempotency keys and retries a batch
/// until it is acknowledged, the faults the scenario applies (each noted with its time and silo), and at the end the
/// <see cref="FaultLedger"/> built from the processor's own record of every execution and the jobs' final records.
/// </summary>
public sealed class FaultRun : IAsyncDisposable
{
    public const string Queue = "fault-q";
    public const string Worker = "fault-worker";

    private readonly ConcurrentDictionary<int, bool> up = new();
    private readonly ConcurrentDictionary<string, long> acknowledged = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FaultLedger.Fault> faults = new();
    private readonly ConcurrentDictionary<int, Task> restarting = new();
    private readonly Dictionary<string, JsonElement> settled = new(StringComparer.Ordinal);
    private readonly Lock clusterGate = new();
    private readonly string ledgerDirectory;
    private int batchesRetried;

    private FaultRun(SiloProcesses cluster, string ledgerDirectory, int silos)
    {
        Cluster = cluster;
        this.ledgerDirectory = ledgerDirectory;
        Silos = silos;
    }

    public SiloProcesses Cluster { get; }

    public int Silos { get; }

    /// <summary>Acknowledged job ids and when (Unix ms) their acknowledgement arrived.</summary>
    public IReadOnlyDictionary<string, long> Acknowledged => acknowledged;

    /// <summary>Batches sent more than once (the answer was an error, or never came).</summary>
    public int BatchesRetried => Volatile.Read(ref batchesRetried);

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Starts the silos and creates and starts the worker (on the ledger processor) with <paramref name="jobOptions"/>.</summary>
    public static async Task<FaultRun> StartAsync(object jobOptions, string redis, CancellationToken cancellationToken, int silos = 3, int replicas = 3, int concurrency = 4)
    {
        var ledger = Directory.CreateTempSubdirectory("zt-ledger-").FullName;
        var cluster = await SiloProcesses.CreateAsync(redis, cancellationToken, SiloProcesses.FaultHostDll, new Dictionary<string, string>
        {
            ["ZT_LEDGER_DIR"] = ledger,
            ["WORKER_DEMO"] = "false",
            ["WORKER_PROMETHEUS_ENABLED"] = "true",   // the soak reads the managed heap from /metrics
        });
        var run = new FaultRun(cluster, ledger, silos);
        for (int i = 0; i < silos; i++)
        {
            await cluster.StartAsync(i, cancellationToken);
            run.up[i] = true;
        }

        await cluster.PostJson(0, "/api/workers", new { name = Worker, queueName = Queue, processor = "ledger", replicas, concurrency, jobOptions }, cancellationToken);
        var started = await cluster.PostJson(1 % silos, $"/api/workers/{Worker}/start", new { }, cancellationToken);
        Assert.Equal("running", started.GetProperty("worker").GetProperty("status").GetString());
        return run;
    }

    /// <summary>
    /// Enqueues <paramref name="batches"/> batches of <paramref name="size"/> jobs, one batch every <paramref name="every"/>,
    /// each to a silo that is up; a batch that fails is sent again with the same idempotency keys until it is acknowledged.
    /// </summary>
    public Task ProduceAsync(int batches, int size, TimeSpan every, Func<int, object> payload, CancellationToken cancellationToken, TimeSpan? keyWindow = null) => Task.Run(
        async () =>
        {
            for (int b = 0; b < batches; b++)
            {
                var due = Task.Delay(every, cancellationToken);
                int batch = b;
                long? idempotencyTtlMs = keyWindow is { } window ? (long)window.TotalMilliseconds : null;
                var jobs = Enumerable.Range(0, size).Select(i => new { payload = payload((batch * size) + i), idempotencyKey = $"fault-{batch}-{i}", idempotencyTtlMs }).ToArray();
                await SendAsync(jobs, cancellationToken);
                await due;
            }
        },
        cancellationToken);

    /// <summary>Sends one batch until a silo acknowledges it (same keys every time: a retry finds the jobs of a lost answer).</summary>
    public async Task SendAsync(object jobs, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            int silo = PickSilo(attempt);
            try
            {
                using var http = Cluster.Http(silo);
                http.Timeout = TimeSpan.FromSeconds(20);
                using var response = await http.PostAsJsonAsync($"/api/queues/{Queue}/jobs", jobs, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    long at = Now;
                    foreach (var job in doc.RootElement.GetProperty("jobs").EnumerateArray())
                    {
                        acknowledged.TryAdd(job.GetProperty("id").GetString()!, at);
                    }

                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            if (attempt == 0)
            {
                Interlocked.Increment(ref batchesRetried);
            }

            Assert.True(attempt < 600, "a batch was never acknowledged in 600 attempts");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// kill -9 of a silo that runs a replica of the worker (the next one after <paramref name="previous"/> in index order, so
    /// the kills go round the cluster), noted as a fault, then a new process in its place. Returns the silo killed.
    /// </summary>
    public async Task<int> KillAReplicaHostAsync(int previous, CancellationToken cancellationToken, int? spare = null)
    {
        var status = await GetJsonAsync($"/api/workers/{Worker}/status", cancellationToken);
        var hosts = status.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("silo").GetString()).ToHashSet();
        var candidates = new List<int>();
        foreach (var index in up.Keys.Order().Where(i => i != spare))
        {
            var health = await Cluster.GetJson(index, "/health", cancellationToken);
            if (hosts.Contains(health.GetProperty("silo").GetString()))
            {
                candidates.Add(index);
            }
        }

        Assert.NotEmpty(candidates);
        int victim = candidates.FirstOrDefault(i => i > previous, candidates[0]);
        await KillAndRestartAsync(victim, cancellationToken);
        return victim;
    }

    /// <summary>kill -9 of silo <paramref name="index"/>, noted as a fault, then a new process in its place.</summary>
    public async Task KillAndRestartAsync(int index, CancellationToken cancellationToken)
    {
        up.TryRemove(index, out _);
        lock (clusterGate)
        {
            // Noted once the process is gone: SIGKILL takes a few milliseconds to land, and an attempt the silo started
            // meanwhile was caught by the kill too.
            Cluster.Kill(index);
            faults.Enqueue(new FaultLedger.Fault(Port(index), Now, "kill"));
        }

        await StartSiloAsync(index, cancellationToken);
    }

    /// <summary>A graceful stop (SIGTERM, the silo drains), noted as a fault, then a new process in its place.</summary>
    public async Task StopAndRestartAsync(int index, CancellationToken cancellationToken, string? hostDll = null)
    {
        up.TryRemove(index, out _);
        faults.Enqueue(new FaultLedger.Fault(Port(index), Now, "stop"));
        await Cluster.StopAsync(index, cancellationToken);
        await StartSiloAsync(index, cancellationToken, hostDll);
    }

    /// <summary>
    /// Silos whose process died by itself (a processor crashed it): noted as faults at their exit, and started again, each in
    /// the background. A restart is not awaited here, so a silo that crashes while another one is still joining is restarted
    /// at once: if every active member is dead, a joining silo cannot pass Orleans's connectivity check (it waits for
    /// someone to declare them dead) until a dead member's new incarnation, on the same endpoint, supersedes it.
    /// A restart that failed fails the next call; <see cref="RestartsDoneAsync"/> waits for those still running.
    /// </summary>
    public async Task<int> RestartCrashedAsync(CancellationToken cancellationToken)
    {
        foreach (var (index, restart) in restarting)
        {
            if (restart.IsCompleted && restarting.TryRemove(new KeyValuePair<int, Task>(index, restart)))
            {
                await ObserveRestartAsync(index, restart);
            }
        }

        IReadOnlyList<(int Index, long At)> crashed;
        lock (clusterGate)
        {
            crashed = Cluster.TakeExited();
        }

        foreach (var (index, at) in crashed)
        {
            up.TryRemove(index, out _);
            faults.Enqueue(new FaultLedger.Fault(Port(index), at, "crash"));
            restarting[index] = StartSiloAsync(index, cancellationToken);
        }

        return crashed.Count;
    }

    /// <summary>Waits for the restarts <see cref="RestartCrashedAsync"/> began (a silo that crashed again while starting is
    /// left for the next <see cref="RestartCrashedAsync"/>).</summary>
    public async Task RestartsDoneAsync()
    {
        foreach (var index in restarting.Keys.ToArray())
        {
            if (restarting.TryRemove(index, out var restart))
            {
                await ObserveRestartAsync(index, restart);
            }
        }
    }

    private async Task ObserveRestartAsync(int index, Task restart)
    {
        try
        {
            await restart;
        }
        catch (Xunit.Sdk.XunitException) when (ExitedOrTaken(index))
        {
            // It crashed again before it answered /health (it took the poison job at once): TakeExited reports it.
        }
    }

    private bool ExitedOrTaken(int index)
    {
        lock (clusterGate)
        {
            return !Cluster.Running.TryGetValue(index, out var process) || process.HasExited;
        }
    }

    /// <summary>A fault that every execution in flight may feel (the job store went away, or lost writes).</summary>
    public void NoteGlobalFault(string kind) => faults.Enqueue(new FaultLedger.Fault(null, Now, kind));

    /// <summary>Waits until every acknowledged job is settled (or <paramref name="timeout"/> passes), then reads the ledger.</summary>
    public async Task<FaultLedger> SettleAsync(string scenario, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var noted = faults.ToArray();
        int expected = acknowledged.Values.Count(at => !FaultLedger.InStoreWindow(at, noted));
        while (DateTime.UtcNow < deadline)
        {
            var stats = await GetJsonAsync($"/api/queues/{Queue}", cancellationToken);
            int pending = stats.GetProperty("waiting").GetInt32() + stats.GetProperty("active").GetInt32() + stats.GetProperty("delayed").GetInt32();
            if (pending == 0)
            {
                // Counted from the jobs' records (retention may have turned over the queue's own counts).
                await CollectSettledAsync(cancellationToken);
                if (acknowledged.Keys.Count(settled.ContainsKey) >= expected)
                {
                    break;
                }
            }

            await Task.Delay(250, cancellationToken);
        }

        await CollectAsync(["completed", "failed", "waiting", "active", "delayed"], cancellationToken);
        var ledger = FaultLedger.Build(scenario, acknowledged, settled, ReadExecutions(), [.. faults]);
        await File.AppendAllTextAsync(Path.Combine(SiloProcesses.ResultsDirectory, "fault-ledgers.txt"), ledger + Environment.NewLine, cancellationToken);
        foreach (var line in ledger.Unexplained)
        {
            await File.AppendAllTextAsync(Path.Combine(SiloProcesses.ResultsDirectory, "fault-ledgers.txt"), "  unexplained re-run: " + line + Environment.NewLine, cancellationToken);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(ledger.ToString());
        return ledger;
    }

    /// <summary>
    /// Notes the final records of the jobs settled so far: a long run calls it more often than retention (retainCompleted) turns
    /// the settled jobs over, so the ledger still sees every job's end.
    /// </summary>
    public Task CollectSettledAsync(CancellationToken cancellationToken) => CollectAsync(["completed", "failed"], cancellationToken);

    /// <summary>The managed heap of silo <paramref name="index"/> after its last garbage collection (the runtime's
    /// <c>dotnet.gc.last_collection.heap.size</c>, all generations), from its /metrics; null when it is not there yet.</summary>
    public async Task<long?> ManagedHeapAsync(int index, CancellationToken cancellationToken)
    {
        using var http = Cluster.Http(index);
        string text;
        try
        {
            text = await http.GetStringAsync("/metrics", cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;   // a sample missed is not a soak failed
        }

        long total = 0;
        bool found = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes{", StringComparison.Ordinal)
                && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var bytes))
            {
                total += (long)bytes;
                found = true;
            }
        }

        return found ? total : null;
    }

    /// <summary>The working set of silo <paramref name="index"/>'s process, in bytes.</summary>
    public long WorkingSet(int index)
    {
        lock (clusterGate)
        {
            var process = Cluster.Running[index];
            process.Refresh();
            return process.WorkingSet64;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(ledgerDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task CollectAsync(string[] states, CancellationToken cancellationToken)
    {
        foreach (var state in states)
        {
            for (int offset = 0; ; offset += 200)
            {
                var page = await GetJsonAsync($"/api/queues/{Queue}/jobs?state={state}&offset={offset}&limit=200", cancellationToken);
                var list = page.GetProperty("jobs").EnumerateArray().ToArray();
                foreach (var job in list)
                {
                    settled[job.GetProperty("id").GetString()!] = job.Clone();
                }

                if (list.Length < 200)
                {
                    break;
                }
            }
        }
    }

    private List<FaultLedger.Execution> ReadExecutions()
    {
        var executions = new List<FaultLedger.Execution>();
        foreach (var file in Directory.GetFiles(ledgerDirectory, "ledger-*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split('|');
                if (parts.Length == 6)
                {
                    executions.Add(new FaultLedger.Execution(
                        parts[0], parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture),
                        int.Parse(parts[4], CultureInfo.InvariantCulture), long.Parse(parts[5], CultureInfo.InvariantCulture)));
                }
            }
        }

        return executions;
    }

    private async Task StartSiloAsync(int index, CancellationToken cancellationToken, string? hostDll = null)
    {
        Task start;
        lock (clusterGate)
        {
            start = Cluster.StartAsync(index, cancellationToken, hostDll);
        }

        await start;
        up[index] = true;
    }

    /// <summary>GET from any silo that is up, trying others while silos come and go.</summary>
    public async Task<JsonElement> GetJsonAsync(string url, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await Cluster.GetJson(PickSilo(attempt), url, cancellationToken);
            }
            catch (Exception ex) when (attempt < 100 && ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(300, cancellationToken);
            }
        }
    }

    /// <summary>One GET from a silo that is up, with no retries: null when none answers now (all may be restarting). For loops
    /// that must go on restarting crashed silos while they wait for an answer.</summary>
    public async Task<JsonElement?> TryGetJsonAsync(string url, CancellationToken cancellationToken)
    {
        if (up.IsEmpty)
        {
            return null;
        }

        try
        {
            using var http = Cluster.Http(PickSilo(0));
            http.Timeout = TimeSpan.FromSeconds(5);
            using var response = await http.GetAsync(url, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return doc.RootElement.Clone();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>POST to any silo that is up, trying others while silos come and go (send only what is safe to repeat:
    /// idempotency keys, or idempotent routes).</summary>
    public async Task<JsonElement> PostJsonAsync(string url, object body, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await Cluster.PostJson(PickSilo(attempt), url, body, cancellationToken);
            }
            catch (Exception ex) when (attempt < 100 && ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(300, cancellationToken);
            }
        }
    }

    private int PickSilo(int attempt)
    {
        var live = up.Keys.Order().ToArray();
        return live.Length == 0 ? 0 : live[(attempt + Random.Shared.Next(live.Length)) % live.Length];
    }

    private int Port(int index) => Cluster.HttpPort(index);
}

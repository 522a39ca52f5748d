using System.Diagnostics;
using System.Globalization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>The scenarios of the performance issue. Each returns rows of (scenario, metric, value, unit).</summary>
public sealed partial class BenchmarkSuite(BenchmarkSettings settings, Action<string> log)
{
    private static readonly string[] InProcessScenarios = ["enqueue", "e2e", "limits", "partitions", "singles", "latency", "growth", "memory"];
    private readonly List<BenchmarkResult> results = [];

    /// <summary>False while <see cref="WarmedUp"/> runs a scenario's unrecorded round.</summary>
    private bool recording = true;

    /// <summary>Appended to the queue and worker names of an out-of-process scenario's round ("" when recorded).</summary>
    private string round = "";

    public IReadOnlyList<BenchmarkResult> Results => results;

    /// <summary>Jobs the suite enqueued to be run, and how many of them completed (the smoke test compares them).</summary>
    public long JobsExpected { get; private set; }

    public long JobsCompleted { get; private set; }

    /// <summary>Runs the scenarios whose name contains <paramref name="only"/> (all when null).</summary>
    public async Task RunAsync(CancellationToken cancellationToken, string? only = null)
    {
        bool Run(string scenario) => only is null || scenario.Contains(only, StringComparison.OrdinalIgnoreCase);
        if (settings.Redis is not null)
        {
            // Idle first, in a fresh silo: later scenarios leave a million jobs in memory.
            if (Run("idle"))
            {
                await using var idle = await BenchSilo.StartAsync(settings.Redis, cancellationToken, settings.Tracing, settings.Dashboard, settings.Encryption);
                await Idle(idle, cancellationToken);
            }

            // Each out-of-process group gets a silo process of its own (their enqueue-only queues keep hundreds of thousands
            // of jobs), started before the in-process silo holds anything.
            if (Run("client"))
            {
                await using var child = await StartChildAsync(cancellationToken);
                await WarmedUp(() => Client(child, cancellationToken));
            }

            if (Run("rest"))
            {
                await using var child = await StartChildAsync(cancellationToken);
                await WarmedUp(() => Rest(child, cancellationToken));
            }

            // Three silo processes and PostgreSQL: asked for by name only (--only cluster), never in a full or smoke run.
            if (only is not null && Run("cluster"))
            {
                await Cluster(cancellationToken);
            }

            // The in-process silo only when an in-process scenario runs (--only client or rest needs none).
            if (InProcessScenarios.Any(Run))
            {
                await using var silo = await BenchSilo.StartAsync(settings.Redis, cancellationToken, settings.Tracing, settings.Dashboard, settings.Encryption);
                if (Run("enqueue"))
                {
                    await Enqueue(silo, cancellationToken);
                }

                if (Run("e2e"))
                {
                    // Unrecorded first: run alone (--only e2e) the measured runs otherwise pay for tiered compilation,
                    // which took about 40 % off the retention-off figure (31k against 54k jobs/s after the enqueue runs).
                    await EndToEnd(silo, retain: 0, cancellationToken, record: false);
                    await EndToEnd(silo, retain: 0, cancellationToken);
                    await EndToEnd(silo, retain: settings.EndToEndJobs, cancellationToken);
                }

                if (Run("limits"))
                {
                    await Limits(silo, cancellationToken);
                }

                if (Run("partitions"))
                {
                    await Partitions(silo, cancellationToken);
                }

                if (Run("singles"))
                {
                    await Singles(silo, cancellationToken);
                }

                if (Run("latency"))
                {
                    await Latency(silo, cancellationToken);
                }

                if (Run("growth"))
                {
                    await Growth(silo, cancellationToken);
                }

                if (Run("memory"))
                {
                    await Memory(silo, cancellationToken);
                }
            }
        }

        if (Run("e2e"))
        {
            await using var memory = await BenchSilo.StartAsync(null, cancellationToken, settings.Tracing, settings.Dashboard, settings.Encryption);
            await EndToEnd(memory, retain: 0, cancellationToken);
        }
    }

    private async Task Enqueue(BenchSilo silo, CancellationToken cancellationToken)
    {
        var queue = silo.Queue("enqueue-single");
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < settings.SingleProducerJobs; i++)
        {
            await queue.EnqueueAsync(new { t = 0 }, cancellationToken: cancellationToken);
        }

        Add(silo, "enqueue, 1 producer awaiting each", "throughput", settings.SingleProducerJobs / watch.Elapsed.TotalSeconds, "jobs/s");

        var shared = silo.Queue("enqueue-32");
        int perProducer = settings.ConcurrentProducerJobs / 32;
        watch.Restart();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            for (int i = 0; i < perProducer; i++)
            {
                await shared.EnqueueAsync(new { t = 0 }, cancellationToken: cancellationToken);
            }
        }));
        Add(silo, "enqueue, 32 concurrent producers", "throughput", perProducer * 32 / watch.Elapsed.TotalSeconds, "jobs/s");

        var batches = silo.Client.GetGrain<IQueueGrain>("enqueue-batch");
        var batch = Enumerable.Range(0, 1000).Select(_ => new EnqueueRequest { Payload = "{}" }).ToArray();
        watch.Restart();
        for (int i = 0; i < settings.BatchJobs / 1000; i++)
        {
            await batches.EnqueueBatch(batch);
        }

        Add(silo, "enqueue, batches of 1000", "throughput", settings.BatchJobs / watch.Elapsed.TotalSeconds, "jobs/s");
    }

    /// <summary>
    /// What each queue limit costs when set but not binding (so the work is the same): the end-to-end run with no limit, with
    /// <c>globalConcurrency</c> at the worker's concurrency, with a rate limit far above the rate, with jobs in 100 groups
    /// taking turns, and with those groups under a <c>groupConcurrency</c> they never reach. Alternated twice, in one silo.
    /// </summary>
    private async Task Limits(BenchSilo silo, CancellationToken cancellationToken)
    {
        (string Label, Func<JobOptions, JobOptions>? Options, int Groups)[] variants =
        [
            ("none", null, 0),
            ("globalConcurrency", o => o with { GlobalConcurrency = settings.Concurrency }, 0),
            ("rateLimit", o => o with { RateLimit = new RateLimit { Max = 1_000_000, Duration = TimeSpan.FromSeconds(1) } }, 0),
            ("100 groups", null, 100),
            ("100 groups, groupConcurrency", o => o with { GroupConcurrency = 10 }, 100),
        ];
        await EndToEnd(silo, retain: 0, cancellationToken, record: false, limits: ("warmup", null, 0, 0));   // a name of its own: the e2e scenario's may exist
        for (int round = 1; round <= 2; round++)
        {
            foreach (var (label, options, groups) in variants)
            {
                await EndToEnd(silo, retain: 0, cancellationToken, limits: (label, options, groups, round));
            }
        }
    }

    private async Task EndToEnd(
        BenchSilo silo, int retain, CancellationToken cancellationToken, bool record = true,
        (string Label, Func<JobOptions, JobOptions>? Options, int Groups, int Round)? limits = null, string family = "queue limits")
    {
        string name = limits is { } l
            ? $"{family.Split(' ')[^1]}-{l.Round}-{l.Label.Replace(' ', '-').Replace(",", "", StringComparison.Ordinal)}"
            : $"e2e-{silo.Store}-{(retain == 0 ? "noretain" : "retain")}{(record ? "" : "-warmup")}";
        silo.Probe.Reset();
        await silo.StartWorker(name, name, settings.Concurrency, retain, limits?.Options);
        var queues = QueuePartitions.Of(silo.Client);   // one call per batch, to one partition (the only one, unless partitioned)
        int n = settings.EndToEndJobs;
        int groups = limits?.Groups ?? 0;
        var batch = Enumerable.Range(0, 1000).Select(i => new EnqueueRequest { Payload = "{}", Group = groups > 0 ? $"g{i % groups}" : null }).ToArray();
        // The silo runs in this process: its CPU and allocations per job are the process's over the run (steadier than
        // throughput on a shared machine, and what a change to the job path moves).
        var cpu = BenchSilo.Cpu();
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        long first = Stopwatch.GetTimestamp();
        for (int sent = 0; sent < n; sent += 1000)
        {
            await queues.EnqueueBatchAsync(name, sent + 1000 <= n ? batch : batch[..(n - sent)]);
        }

        await Expect(silo, n, cancellationToken);
        double seconds = (silo.Probe.LastCompletion - first) / (double)Stopwatch.Frequency;
        double cpuPerJob = (BenchSilo.Cpu() - cpu).TotalMicroseconds / n;
        double bytesPerJob = (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)n;
        if (record)
        {
            string scenario = limits is { } set
                ? $"{family}, end to end {n} no-op jobs, concurrency {settings.Concurrency}: {set.Label} (round {set.Round})"
                : $"end to end {n} no-op jobs, concurrency {settings.Concurrency}, retention {(retain == 0 ? "off" : "on")}";
            Add(silo, scenario, "throughput", n / seconds, "jobs/s");
            Add(silo, scenario, "process CPU per job", Math.Round(cpuPerJob, 1), "µs");
            Add(silo, scenario, "allocated per job", Math.Round(bytesPerJob), "bytes");
            Add(silo, scenario, "queue-grain calls per job", CallsPerJob(silo.Probe, n), "calls");
        }

        await silo.Client.GetGrain<IWorkerGrain>(name).Stop();
    }

    private async Task Latency(BenchSilo silo, CancellationToken cancellationToken)
    {
        foreach (var rate in settings.PacedRates)
        {
            string name = $"paced-{rate}";
            silo.Probe.Reset();
            await silo.StartWorker(name, name, settings.Concurrency, retain: 0);
            var queue = silo.Client.GetGrain<IQueueGrain>(name);
            int total = (int)(rate * settings.PacedDuration.TotalSeconds);
            var pending = new List<Task>(total);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < total; i++)
            {
                // Paced: job i leaves at i / rate seconds; the producer does not wait for acknowledgements.
                var due = TimeSpan.FromSeconds(i / (double)rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }

                pending.Add(queue.Enqueue(new EnqueueRequest { Payload = Probe.Payload() }));
            }

            await Task.WhenAll(pending);
            await Expect(silo, total, cancellationToken);
            var start = silo.Probe.StartLatency();
            var done = silo.Probe.CompletionLatency();
            Add(silo, $"latency at {rate} jobs/s", "enqueue→start p50/p90/p99/max", $"{start.P50} / {start.P90} / {start.P99} / {start.Max}", "ms");
            Add(silo, $"latency at {rate} jobs/s", "enqueue→completion p50/p90/p99/max", $"{done.P50} / {done.P90} / {done.P99} / {done.Max}", "ms");
            Add(silo, $"latency at {rate} jobs/s", "enqueue→start p99", start.P99, "ms");
            await silo.Client.GetGrain<IWorkerGrain>(name).Stop();
        }
    }

    private async Task Growth(BenchSilo silo, CancellationToken cancellationToken)
    {
        // Unrecorded rounds until two in a row agree within 10 % (at most 8): tiered compilation takes several seconds
        // of this load to settle, and without this the first depth paid for it (38 / 21 / 13 µs in its three rounds).
        var warmup = await silo.CreateWorker("growth-warmup", "growth-warmup", settings.Concurrency, retain: 0);
        double previous = double.MaxValue;
        for (int round = 0; round < 8; round++)
        {
            double cost = (await GrowthRound(silo, warmup, "growth-warmup", settings.GrowthJobs, cancellationToken)).Silo;
            if (Math.Abs(cost - previous) <= 0.1 * previous)
            {
                break;
            }

            previous = cost;
        }

        var medians = new List<double>();
        foreach (var depth in settings.GrowthDepths)
        {
            string name = $"growth-{depth}";
            await Fill(silo.Client.GetGrain<IQueueGrain>(name), depth, JobPriority.Low);
            var worker = await silo.CreateWorker(name, name, settings.Concurrency, retain: 0);
            var rounds = new List<(double Silo, double Redis)>();
            for (int round = 0; round < settings.GrowthRounds; round++)
            {
                rounds.Add(await GrowthRound(silo, worker, name, settings.GrowthJobs, cancellationToken));
            }

            double median = Median(rounds.Select(r => r.Silo));
            medians.Add(median);
            string scenario = $"growth, {depth:N0} jobs waiting ({settings.GrowthRounds} × {settings.GrowthJobs:N0} jobs)";
            Add(silo, scenario, "silo CPU per job (enqueue + lease + ack), median", Math.Round(median, 1), "µs");
            Add(silo, scenario, "silo CPU per job, each round", string.Join(" / ", rounds.Select(r => r.Silo.ToString("0.0", CultureInfo.InvariantCulture))), "µs");
            Add(silo, scenario, "Redis CPU per job, median", Math.Round(Median(rounds.Select(r => r.Redis)), 1), "µs");
        }

        if (medians.Count > 1)
        {
            Add(silo, $"growth, {settings.GrowthDepths[^1]:N0} vs {settings.GrowthDepths[0]:N0} waiting", "silo CPU per job, change", Math.Round((medians[^1] / medians[0] - 1) * 100, 1), "%");
        }
    }

    /// <summary>
    /// Enqueues <paramref name="jobs"/> high-priority jobs in front of the queue's waiting backlog, runs the queue's
    /// worker until they are done and stops it; returns silo and Redis CPU per job in µs (enqueue, lease and ack together).
    /// </summary>
    private async Task<(double Silo, double Redis)> GrowthRound(BenchSilo silo, IWorkerGrain worker, string queue, int jobs, CancellationToken cancellationToken)
    {
        silo.Probe.Reset();
        var (_, redisCpuBefore) = await silo.RedisInfoAsync();
        var cpuBefore = BenchSilo.Cpu();
        await Fill(silo.Client.GetGrain<IQueueGrain>(queue), jobs, JobPriority.High);
        await worker.Start();
        await Expect(silo, jobs, cancellationToken);
        var cpu = BenchSilo.Cpu() - cpuBefore;
        var (_, redisCpuAfter) = await silo.RedisInfoAsync();
        await worker.Stop();
        return (cpu.TotalMicroseconds / jobs, (redisCpuAfter - redisCpuBefore) * 1e6 / jobs);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private async Task Memory(BenchSilo silo, CancellationToken cancellationToken)
    {
        var queue = silo.Client.GetGrain<IQueueGrain>("memory");
        await queue.GetStats();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var (redisBefore, _) = await silo.RedisInfoAsync();
        await Fill(queue, settings.MemoryDepth, JobPriority.Normal);
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var (redisAfter, _) = await silo.RedisInfoAsync();
        Add(silo, $"memory, {settings.MemoryDepth:N0} waiting jobs", "silo heap per waiting job", (heapAfter - heapBefore) / settings.MemoryDepth, "bytes");
        Add(silo, $"memory, {settings.MemoryDepth:N0} waiting jobs", "Redis memory per waiting job", (redisAfter - redisBefore) / settings.MemoryDepth, "bytes");
        GC.KeepAlive(queue);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task Idle(BenchSilo silo, CancellationToken cancellationToken)
    {
        await silo.StartWorker("idle", "idle", settings.Concurrency, retain: 0);
        await Task.Delay(settings.IdleWarmup, cancellationToken);
        var cpu = BenchSilo.Cpu();
        var threads = ThreadCpu.Snapshot();
        long workItems = ThreadPool.CompletedWorkItemCount;
        var watch = Stopwatch.StartNew();
        await Task.Delay(settings.IdleWindow, cancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;
        double total = (BenchSilo.Cpu() - cpu).TotalSeconds / seconds * 100;
        double jit = ThreadCpu.Since(threads, ThreadCpu.TieredCompilation).TotalSeconds / seconds * 100;
        string scenario = $"idle {settings.IdleWindow.TotalSeconds:0} s, workers running, no jobs, {settings.IdleWarmup.TotalSeconds:0} s after start";
        Add(silo, scenario, "silo CPU", Math.Round(total, 2), "% of one core");
        Add(silo, scenario, "of which tiered JIT re-compiling (start-up)", Math.Round(jit, 2), "% of one core");
        Add(silo, scenario, "silo CPU without the JIT (steady state)", Math.Round(total - jit, 2), "% of one core");
        Add(silo, scenario, "thread-pool work items", Math.Round((ThreadPool.CompletedWorkItemCount - workItems) / seconds, 1), "per second");
    }

    private static async Task Fill(IQueueGrain queue, int count, int priority)
    {
        var batch = Enumerable.Range(0, 1000).Select(_ => new EnqueueRequest { Payload = "{}", Priority = priority }).ToArray();
        for (int sent = 0; sent < count; sent += 1000)
        {
            await queue.EnqueueBatch(sent + 1000 <= count ? batch : batch[..(count - sent)]);
        }
    }

    private async Task Expect(BenchSilo silo, int count, CancellationToken cancellationToken)
    {
        JobsExpected += count;
        try
        {
            await silo.Probe.WaitForAsync(count, settings.ScenarioTimeout).WaitAsync(cancellationToken);
        }
        finally
        {
            JobsCompleted += Math.Min(count, silo.Probe.Completed);
        }
    }

    /// <summary>
    /// Runs an out-of-process scenario once unrecorded (its queues and workers named apart) and then for the record: a silo
    /// process just started spends a fifth to a quarter of its CPU in the JIT for the first 15 s of load (perf: libclrjit
    /// 20–28 % of the child's samples while the client scenario ran), which a silo in production paid long before.
    /// </summary>
    private async Task WarmedUp(Func<Task> scenario)
    {
        if (settings.ChildWarmup)
        {
            (recording, round) = (false, "-warm-up");
            try
            {
                await scenario();
            }
            finally
            {
                (recording, round) = (true, "");
            }
        }

        await scenario();
    }

    /// <summary>The silo host as a process of its own on the run's Redis, its log in the run's output folder.</summary>
    private async Task<ChildSilo> StartChildAsync(CancellationToken cancellationToken)
    {
        var logs = settings.OutDir ?? Path.Combine(ZinTrust.Workers.Testing.Repository.Root, "artifacts", "benchmarks");
        var child = await ChildSilo.StartAsync(settings.Redis!, logs, settings.Dashboard, settings.SiloEnvironment, cancellationToken);
        log($"silo process ready on port {child.HttpPort} (gateway {child.GatewayPort}); its log: {child.LogPath}");
        return child;
    }

    private void Add(BenchSilo silo, string scenario, string metric, object value, string unit)
    {
        if (silo.Exported is { } exported)
        {
            scenario += $", traced (OTLP so far: {exported.Requests} exports, {exported.Bytes / (1 << 20)} MiB)";
        }

        Add(silo.Store, scenario, metric, value, unit);
    }

    /// <summary>The CPU per job of each process since <paramref name="from"/> (<paramref name="load"/> names this process's part).</summary>
    private async Task AddCpuAsync(ChildSilo silo, string scenario, CpuMark from, long jobs, string load)
    {
        var (siloCpu, loadCpu, redisCpu) = (await CpuMark.TakeAsync(silo)).PerJobSince(from, jobs);
        Add("redis", scenario, "silo process CPU per job", siloCpu, "µs");
        Add("redis", scenario, $"{load} CPU per job", loadCpu, "µs");
        Add("redis", scenario, "Redis CPU per job", redisCpu, "µs");
    }

    private void Add(string store, string scenario, string metric, object value, string unit)
    {
        if (!recording)
        {
            log($"(warm-up, not recorded) {scenario}: {metric} {value} {unit}");
            return;
        }

        var result = new BenchmarkResult(store, scenario, metric, value is double d && unit != "% of one core" ? Math.Round(d, 1) : value, unit);
        results.Add(result);
        log($"{result.Store,-6} {result.Scenario,-58} {result.Metric,-40} {result.Value} {result.Unit}");
    }
}

public sealed record BenchmarkResult(string Store, string Scenario, string Metric, object Value, string Unit);

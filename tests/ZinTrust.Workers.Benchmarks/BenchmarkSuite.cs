using System.Diagnostics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>The scenarios of the performance issue. Each returns rows of (scenario, metric, value, unit).</summary>
public sealed class BenchmarkSuite(BenchmarkSettings settings, Action<string> log)
{
    private readonly List<BenchmarkResult> results = [];

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
                await using var idle = await BenchSilo.StartAsync(settings.Redis, cancellationToken);
                await Idle(idle, cancellationToken);
            }

            await using var silo = await BenchSilo.StartAsync(settings.Redis, cancellationToken);
            if (Run("enqueue"))
            {
                await Enqueue(silo, cancellationToken);
            }

            if (Run("e2e"))
            {
                await EndToEnd(silo, retain: 0, cancellationToken);
                await EndToEnd(silo, retain: settings.EndToEndJobs, cancellationToken);
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

        if (Run("e2e"))
        {
            await using var memory = await BenchSilo.StartAsync(null, cancellationToken);
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

    private async Task EndToEnd(BenchSilo silo, int retain, CancellationToken cancellationToken)
    {
        string name = $"e2e-{silo.Store}-{(retain == 0 ? "noretain" : "retain")}";
        silo.Probe.Reset();
        await silo.StartWorker(name, name, settings.Concurrency, retain);
        var queue = silo.Client.GetGrain<IQueueGrain>(name);
        int n = settings.EndToEndJobs;
        var batch = Enumerable.Range(0, 1000).Select(_ => new EnqueueRequest { Payload = "{}" }).ToArray();
        long first = Stopwatch.GetTimestamp();
        for (int sent = 0; sent < n; sent += 1000)
        {
            await queue.EnqueueBatch(sent + 1000 <= n ? batch : batch[..(n - sent)]);
        }

        await Expect(silo, n, cancellationToken);
        double seconds = (silo.Probe.LastCompletion - first) / (double)Stopwatch.Frequency;
        Add(silo, $"end to end {n} no-op jobs, concurrency {settings.Concurrency}, retention {(retain == 0 ? "off" : "on")}", "throughput", n / seconds, "jobs/s");
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
        foreach (var depth in settings.GrowthDepths)
        {
            string name = $"growth-{depth}";
            var queue = silo.Client.GetGrain<IQueueGrain>(name);
            await Fill(queue, depth, JobPriority.Low);
            silo.Probe.Reset();
            var (_, redisCpuBefore) = await silo.RedisInfoAsync();
            var cpuBefore = BenchSilo.Cpu();

            // High-priority jobs are leased before the waiting backlog; stop as soon as they are done.
            await Fill(queue, settings.GrowthJobs, JobPriority.High);
            await silo.StartWorker(name, name, settings.Concurrency, retain: 0);
            await Expect(silo, settings.GrowthJobs, cancellationToken, countTowardsTotal: true);
            var cpu = BenchSilo.Cpu() - cpuBefore;
            var (_, redisCpuAfter) = await silo.RedisInfoAsync();
            await silo.Client.GetGrain<IWorkerGrain>(name).Stop();
            Add(silo, $"growth, {depth:N0} jobs waiting", "silo CPU per job (enqueue + lease + ack)", Math.Round(cpu.TotalMicroseconds / settings.GrowthJobs, 1), "µs");
            Add(silo, $"growth, {depth:N0} jobs waiting", "Redis CPU per job", Math.Round((redisCpuAfter - redisCpuBefore) * 1e6 / settings.GrowthJobs, 1), "µs");
        }
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
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var cpu = BenchSilo.Cpu();
        var watch = Stopwatch.StartNew();
        await Task.Delay(settings.IdleWindow, cancellationToken);
        double percent = (BenchSilo.Cpu() - cpu).TotalMilliseconds / watch.Elapsed.TotalMilliseconds * 100;
        Add(silo, $"idle {settings.IdleWindow.TotalSeconds:0} s, workers running, no jobs", "silo CPU", Math.Round(percent, 2), "% of one core");
    }

    private static async Task Fill(IQueueGrain queue, int count, int priority)
    {
        var batch = Enumerable.Range(0, 1000).Select(_ => new EnqueueRequest { Payload = "{}", Priority = priority }).ToArray();
        for (int sent = 0; sent < count; sent += 1000)
        {
            await queue.EnqueueBatch(sent + 1000 <= count ? batch : batch[..(count - sent)]);
        }
    }

    private async Task Expect(BenchSilo silo, int count, CancellationToken cancellationToken, bool countTowardsTotal = true)
    {
        if (countTowardsTotal)
        {
            JobsExpected += count;
        }

        try
        {
            await silo.Probe.WaitForAsync(count, settings.ScenarioTimeout).WaitAsync(cancellationToken);
        }
        finally
        {
            JobsCompleted += Math.Min(count, silo.Probe.Completed);
        }
    }

    private void Add(BenchSilo silo, string scenario, string metric, object value, string unit)
    {
        var result = new BenchmarkResult(silo.Store, scenario, metric, value is double d ? Math.Round(d, 1) : value, unit);
        results.Add(result);
        log($"{result.Store,-6} {result.Scenario,-58} {result.Metric,-40} {result.Value} {result.Unit}");
    }
}

public sealed record BenchmarkResult(string Store, string Scenario, string Metric, object Value, string Unit);

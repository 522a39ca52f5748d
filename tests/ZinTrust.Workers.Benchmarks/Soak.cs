using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// The soak (<c>--soak MINUTES</c>, 20 by default; not part of the test command): three fault-host silo processes on
/// PostgreSQL and a Redis of its own, 100 jobs a second through REST for the whole run, and every 40 s a fault in turn:
/// <c>kill -9</c> of a silo running a replica, a graceful restart of a silo, <c>kill -9</c> of Redis (restarted 2 s later).
/// Silo 0 is never faulted, so its working set shows growth over the run (from minute 5, once retention is full). Prints the ledger (as the fault tests keep it)
/// and the working set, and writes both to <c>artifacts/benchmarks/soak-*.md</c>.
/// </summary>
internal static class Soak
{
    private static readonly TimeSpan FaultEvery = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan BatchEvery = TimeSpan.FromMilliseconds(200);
    // Retention (20,000 finished jobs kept, in memory too) fills in about 200 s at 100 jobs/s: growth is measured after that.
    private static readonly TimeSpan WarmUp = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(TimeSpan duration, string outDir, Action<string> log, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(TestPostgres.Variable) is not { Length: > 0 })
        {
            await InfraAsync("postgres.sh", "start", cancellationToken);
            await InfraAsync("redis.sh", "start", cancellationToken);   // installs redis-server when missing
            Environment.SetEnvironmentVariable(TestPostgres.Variable, await InfraAsync("postgres.sh", "url", cancellationToken));
        }

        await using var redis = await DedicatedRedis.LaunchAsync(cancellationToken);
        await using var run = await FaultRun.StartAsync(
            new { leaseMs = 3000, attempts = 5, maxStalls = 3, retainCompleted = 20_000, backoff = new { type = "fixed", delayMs = 100 } },
            redis.Endpoint,
            cancellationToken);
        var watch = Stopwatch.StartNew();
        int batches = (int)(duration / BatchEvery);
        // The keys guard the producer's own retries, which take seconds: a day's window (the queue's default) would keep all
        // 120,000 of them in memory, which is what they cost, not what the soak looks for.
        var producer = run.ProduceAsync(batches, 20, BatchEvery, _ => new { sleepMs = 20 }, cancellationToken, keyWindow: TimeSpan.FromMinutes(2));
        var samples = new List<(TimeSpan At, long Bytes)>();
        var heaps = new List<(TimeSpan At, long Bytes)>();
        int fault = 0, victim = -1;
        var nextFault = FaultEvery;
        var nextCollect = TimeSpan.FromMinutes(1);
        while (!producer.IsCompleted)
        {
            await Task.WhenAny(producer, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            samples.Add((watch.Elapsed, run.WorkingSet(0)));
            if (await run.ManagedHeapAsync(0, cancellationToken) is { } heap)
            {
                heaps.Add((watch.Elapsed, heap));
            }

            if (watch.Elapsed >= nextCollect)
            {
                await run.CollectSettledAsync(cancellationToken);
                nextCollect += TimeSpan.FromMinutes(1);
            }

            if (watch.Elapsed < nextFault || producer.IsCompleted)
            {
                continue;
            }

            nextFault += FaultEvery;
            switch (fault++ % 3)
            {
                case 0:
                    victim = await run.KillAReplicaHostAsync(victim, cancellationToken, spare: 0);
                    log($"{watch.Elapsed:mm\\:ss} kill -9 of silo {victim}");
                    break;
                case 1:
                    int restart = 1 + (fault / 3 % 2);
                    await run.StopAndRestartAsync(restart, cancellationToken);
                    log($"{watch.Elapsed:mm\\:ss} graceful restart of silo {restart}");
                    break;
                default:
                    redis.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                    run.NoteGlobalFault("redis kill -9");   // when it comes back: see the fault test's note
                    await redis.StartAsync(cancellationToken);
                    log($"{watch.Elapsed:mm\\:ss} kill -9 of Redis, restarted");
                    break;
            }
        }

        await producer;
        var ledger = await run.SettleAsync($"soak, {duration.TotalMinutes:0} min, a fault every {FaultEvery.TotalSeconds:0} s", TimeSpan.FromMinutes(5), cancellationToken);
        var afterWarmUp = samples.First(s => s.At >= WarmUp);
        var last = samples[^1];
        var peak = samples.Where(s => s.At >= WarmUp).Max(s => s.Bytes);
        double growth = (last.Bytes - afterWarmUp.Bytes) / (double)(1 << 20);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Soak on {Environment.ProcessorCount} cores: {watch.Elapsed.TotalMinutes:0.0} min, {ledger.Acknowledged} jobs, {ledger.Faults} faults.")
            .AppendLine(ledger.ToString())
            .AppendLine(CultureInfo.InvariantCulture, $"Working set of the silo never faulted: {Mib(afterWarmUp.Bytes)} MiB at {afterWarmUp.At:mm\\:ss}, {Mib(last.Bytes)} MiB at {last.At:mm\\:ss} ({growth:+0.0;-0.0} MiB), peak {Mib(peak)} MiB.")
            .AppendLine(Heap(heaps))
            .ToString();
        log(report);
        foreach (var line in ledger.Unexplained)
        {
            log("  unexplained re-run: " + line);
        }

        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, $"soak-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md"), report, cancellationToken);
        bool clean = ledger is { Lost: 0, DuplicatedWithoutFault: 0, DoubleTerminal: 0, StaleCommits: 0, TokenReuse: 0 } && ledger.ReRuns <= ledger.InFlightAtFaults;
        return clean ? 0 : 1;
    }

    /// <summary>The managed heap after collections, from the warm-up on: the median of its first and its last minute (a single
    /// sample catches wherever the last collection left it).</summary>
    private static string Heap(List<(TimeSpan At, long Bytes)> heaps)
    {
        var measured = heaps.Where(h => h.At >= WarmUp).ToList();
        if (measured.Count == 0)
        {
            return "Managed heap: not read (no /metrics).";
        }

        static long Median(IEnumerable<long> values) => values.Order().ElementAt(values.Count() / 2);
        var first = Median(measured.Where(h => h.At < measured[0].At + TimeSpan.FromMinutes(1)).Select(h => h.Bytes));
        var last = Median(measured.Where(h => h.At > measured[^1].At - TimeSpan.FromMinutes(1)).Select(h => h.Bytes));
        return FormattableString.Invariant($"Managed heap after collections (median of a minute): {Mib(first)} MiB after the warm-up, {Mib(last)} MiB in the last minute ({(last - first) / (double)(1 << 20):+0.0;-0.0} MiB), peak {Mib(measured.Max(h => h.Bytes))} MiB.");
    }

    private static string Mib(long bytes) => (bytes / (double)(1 << 20)).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Runs an infra script (they are idempotent) and returns what it printed.</summary>
    private static async Task<string> InfraAsync(string script, string action, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "infra", script), action]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"infra/{script} {action} failed ({process.ExitCode}).");
    }
}

using System.Diagnostics;
using System.Globalization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// The <c>singles</c> scenario: the in-process end-to-end run fed by single enqueues, 64 in flight (as a client process feeds
/// a silo), coalesced as the client library and the REST facade send them and one call each, beside the same run fed in
/// batches of 1,000; each with the queue grains' calls per job by method, which says where a single enqueue's cost goes.
/// </summary>
public sealed partial class BenchmarkSuite
{
    private const int SinglesInFlight = 64;

    private async Task Singles(BenchSilo silo, CancellationToken cancellationToken)
    {
        await SinglesEndToEnd(silo, "warmup", coalesce: true, cancellationToken, record: false);
        for (int round = 1; round <= 2; round++)
        {
            await SinglesEndToEnd(silo, $"coalesced-{round}", coalesce: true, cancellationToken);
            await SinglesEndToEnd(silo, $"one-call-each-{round}", coalesce: false, cancellationToken);
            await SinglesEndToEnd(silo, $"keyed-{round}", coalesce: true, cancellationToken, keyed: true);
            await EndToEnd(silo, retain: 0, cancellationToken, limits: ("batches of 1000", null, 0, round), family: "fed in singles");
        }
    }

    /// <param name="keyed">Each job with an idempotency key of its own, as the client library's retries give every job
    /// (<c>client:{guid}</c>, remembered for the retries' window).</param>
    private async Task SinglesEndToEnd(BenchSilo silo, string label, bool coalesce, CancellationToken cancellationToken, bool record = true, bool keyed = false)
    {
        string name = $"singles-{label}";
        silo.Probe.Reset();
        await silo.StartWorker(name, name, settings.Concurrency, retain: 0);
        var queues = QueuePartitions.Of(silo.Client);
        var batchers = coalesce ? new EnqueueBatchers(silo.Client) : null;
        int n = settings.ClientEndToEndJobs;
        var cpu = BenchSilo.Cpu();
        long first = Stopwatch.GetTimestamp();
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, SinglesInFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < n)
            {
                var request = keyed
                    ? new EnqueueRequest { Payload = "{}", IdempotencyKey = $"client:{Guid.NewGuid():N}", IdempotencyTtl = TimeSpan.FromSeconds(60) }
                    : new EnqueueRequest { Payload = "{}" };
                await queues.EnqueueAsync(name, request, batchers);
            }
        }));
        await Expect(silo, n, cancellationToken);
        double seconds = (silo.Probe.LastCompletion - first) / (double)Stopwatch.Frequency;
        if (record)
        {
            string scenario = $"fed in singles, end to end {n} no-op jobs, {SinglesInFlight} single enqueues in flight, concurrency {settings.Concurrency}: {(coalesce ? "coalesced" : "one call each")}{(keyed ? ", each with a client's idempotency key" : "")} ({label})";
            Add(silo, scenario, "throughput", n / seconds, "jobs/s");
            Add(silo, scenario, "process CPU per job", Math.Round((BenchSilo.Cpu() - cpu).TotalMicroseconds / n, 1), "µs");
            Add(silo, scenario, "queue-grain calls per job", CallsPerJob(silo.Probe, n), "calls");
        }

        await silo.Client.GetGrain<IWorkerGrain>(name).Stop();
    }

    private static string CallsPerJob(Probe probe, int jobs) => string.Join(", ", probe.QueueCalls
        .Where(c => c.Value > 0)
        .OrderByDescending(c => c.Value)
        .Select(c => $"{c.Key} {(c.Value / (double)jobs).ToString("0.###", CultureInfo.InvariantCulture)}"));
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// The <c>cluster</c> scenario (only with <c>--only cluster</c>; it needs PostgreSQL for membership, <c>ZT_TEST_POSTGRES</c>):
/// one queue's end-to-end throughput with 1 and 3 silo processes and 1, 3 and 6 partitions. The shipped silo host, membership
/// in a fresh PostgreSQL database, jobs in the run's Redis; jobs enqueued over REST in batches of 1000 spread over the silos,
/// the worker with one replica per silo (concurrency 50 each), completion read from the queue's summed counters.
/// </summary>
public sealed partial class BenchmarkSuite
{
    private static readonly int[] ClusterPartitions = [1, 3, 6];

    private async Task Cluster(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(TestPostgres.Variable) is not { Length: > 0 })
        {
            log($"cluster: skipped; it needs PostgreSQL for membership ({TestPostgres.Variable}, e.g. \"$(infra/postgres.sh url)\" after infra/postgres.sh start)");
            return;
        }

        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["WORKER_API_RATE_LIMIT"] = "0",
            ["WORKER_DEMO"] = "false",
            ["WORKER_AUTO_START"] = "false",
            ["WORKER_DASHBOARD_ENABLED"] = "false",
        };
        await using var silos = await SiloProcesses.CreateAsync(settings.Redis!, cancellationToken, extra: extra);
        await silos.StartAsync(0, cancellationToken);
        foreach (int partitions in ClusterPartitions)
        {
            await ClusterEndToEnd(silos, 1, partitions, cancellationToken);
        }

        await silos.StartAsync(1, cancellationToken);
        await silos.StartAsync(2, cancellationToken);
        foreach (int partitions in ClusterPartitions)
        {
            await ClusterEndToEnd(silos, 3, partitions, cancellationToken);
        }
    }

    private static TimeSpan ProcessesCpu(SiloProcesses silos) => silos.Running.Values.Aggregate(TimeSpan.Zero, (sum, process) =>
    {
        process.Refresh();
        return sum + process.TotalProcessorTime;
    });

    private async Task ClusterEndToEnd(SiloProcesses silos, int siloCount, int partitions, CancellationToken cancellationToken)
    {
        string name = $"cluster-s{siloCount}-p{partitions}";
        var http = Enumerable.Range(0, siloCount).Select(silos.Http).ToArray();
        try
        {
            var definition = new
            {
                name, queueName = name, processor = "echo", concurrency = settings.Concurrency, replicas = siloCount,
                jobOptions = new { attempts = 1, retainCompleted = 0, partitions },
            };
            (await http[0].PostAsJsonAsync("/api/workers", definition, cancellationToken)).EnsureSuccessStatusCode();
            (await http[0].PostAsync($"/api/workers/{name}/start", null, cancellationToken)).EnsureSuccessStatusCode();
            var batch = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("{\"payload\":{\"t\":0}}", 1000)) + "]");
            int batches = Math.Max(1, settings.RestEndToEndJobs / 1000);
            var cpu = ProcessesCpu(silos);
            long first = Stopwatch.GetTimestamp();
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, RestBatchConnections).Select(async loop =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches)
                {
                    using var content = new ByteArrayContent(batch);
                    content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                    (await http[i % siloCount].PostAsync($"/api/queues/{name}/jobs", content, cancellationToken)).EnsureSuccessStatusCode();
                }
            }));

            int n = batches * 1000;
            JobsExpected += n;
            long done = 0;
            var deadline = Stopwatch.GetTimestamp() + (long)(settings.ScenarioTimeout.TotalSeconds * Stopwatch.Frequency);
            while ((done = (await silos.GetJson(0, $"/api/queues/{name}", cancellationToken)).GetProperty("counters").GetProperty("completed").GetInt64()) < n)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"{name}: {done} of {n} jobs completed within {settings.ScenarioTimeout}.");
                }

                await Task.Delay(5, cancellationToken);
            }

            double seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
            JobsCompleted += n;
            var used = ProcessesCpu(silos) - cpu;
            string scenario = $"one queue, {siloCount} silo process{(siloCount == 1 ? "" : "es")}, {partitions} partition{(partitions == 1 ? "" : "s")}, REST batches of 1000, end to end {n} echo jobs";
            Add("redis", scenario, "throughput", n / seconds, "jobs/s");
            Add("redis", scenario, "silo processes' CPU per job", Math.Round(used.TotalMicroseconds / n, 1), "µs");
            (await http[0].PostAsync($"/api/workers/{name}/stop", null, cancellationToken)).EnsureSuccessStatusCode();
        }
        finally
        {
            foreach (var client in http)
            {
                client.Dispose();
            }
        }
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Client;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// The <c>client</c> scenarios: a producer in this process, through the .NET client library (its shipped defaults, retries
/// on), against the silo host in a process of its own on the same Redis. Only the public client API is used
/// (<see cref="IJobQueue{TPayload}"/>), so the figures follow whatever the client does inside <c>EnqueueAsync</c>.
/// </summary>
public sealed partial class BenchmarkSuite
{
    private const int ClientInFlight = 64;

    private async Task Client(ChildSilo silo, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";   // over the appsettings.json beside it (the silo's)
        builder.Logging.ClearProviders().AddSimpleConsole();
        builder.AddZinTrustWorkersClient(o =>
        {
            o.GatewayPort = silo.GatewayPort;
            o.ClusterId = silo.Prefix;
            o.ServiceId = silo.Prefix;
        });
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            var queues = host.Services.GetRequiredService<IJobQueueFactory>();
            var payload = new BenchPayload(0);

            var single = queues.Get<BenchPayload>($"client-enqueue{round}");
            var mark = await CpuMark.TakeAsync(silo);
            var (rate, sent) = await TimedLoad.RunAsync(
                ClientInFlight,
                async ct => { await single.EnqueueAsync(payload, cancellationToken: ct); return 1; },
                settings.LoadWarmup,
                settings.LoadWindow,
                cancellationToken);
            string scenario = $"client process, {ClientInFlight} EnqueueAsync in flight, no worker";
            Add("redis", scenario, "enqueue rate", rate, "jobs/s");
            await AddCpuAsync(silo, scenario, mark, sent, "client process");

            await ClientEndToEnd(silo, queues, payload, cancellationToken);
            await ClientPaced(silo, queues, payload, cancellationToken);

            // Last: with no worker on it, this queue keeps every job it was given (hundreds of thousands).
            var many = queues.Get<BenchPayload>($"client-enqueue-many{round}");
            var batch = Enumerable.Repeat(payload, 1000).ToArray();
            (rate, _) = await TimedLoad.RunAsync(
                RestBatchConnections,
                async ct => (await many.EnqueueManyAsync(batch, cancellationToken: ct)).Count,
                settings.LoadWarmup,
                settings.LoadWindow,
                cancellationToken);
            Add("redis", $"client process, EnqueueManyAsync of 1000, {RestBatchConnections} in flight, no worker", "enqueue rate", rate, "jobs/s");
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Enqueues with <see cref="ClientInFlight"/> single calls in flight to a running echo worker, first enqueue to
    /// the poll that sees the last completion; an unrecorded tenth first.</summary>
    private async Task ClientEndToEnd(ChildSilo silo, IJobQueueFactory queues, BenchPayload payload, CancellationToken cancellationToken)
    {
        string name = $"client-e2e{round}";
        await silo.CreateWorkerAsync(name, name, settings.Concurrency, retain: 0, cancellationToken);
        var queue = queues.Get<BenchPayload>(name);
        long completed = 0;
        foreach (var (n, record) in new[] { (Math.Max(settings.ClientEndToEndJobs / 10, ClientInFlight), false), (settings.ClientEndToEndJobs, true) })
        {
            var mark = await CpuMark.TakeAsync(silo);
            long first = Stopwatch.GetTimestamp();
            await InFlightAsync(ClientInFlight, n, async ct => await queue.EnqueueAsync(payload, cancellationToken: ct), cancellationToken);
            double enqueueSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
            long last = await ExpectCompletedAsync(silo, name, completed, n, cancellationToken);
            completed += n;
            if (record)
            {
                string scenario = $"client process, end to end {n} echo jobs, {ClientInFlight} EnqueueAsync in flight, concurrency {settings.Concurrency}";
                Add("redis", scenario, "throughput", n / ((last - first) / (double)Stopwatch.Frequency), "jobs/s");
                Add("redis", scenario, "enqueue rate while the worker runs", n / enqueueSeconds, "jobs/s");
                await AddCpuAsync(silo, scenario, mark, n, "client process");
            }
        }

        await silo.StopWorkerAsync(name, cancellationToken);
    }

    /// <summary>
    /// Paced: job i leaves at i / rate seconds, acknowledgements not awaited. Enqueue → start is the job record's
    /// <c>startedAt</c> (stamped by the queue when it leases the job to a replica, which runs the processor next, in the same
    /// silo) minus the wall-clock time taken here just before <c>EnqueueAsync</c>: one machine, one clock. Records are kept
    /// (the worker retains them) and read back once all completed.
    /// </summary>
    private async Task ClientPaced(ChildSilo silo, IJobQueueFactory queues, BenchPayload payload, CancellationToken cancellationToken)
    {
        string name = $"client-paced{round}";
        int rate = settings.ClientPacedRate;
        int total = (int)(rate * settings.PacedDuration.TotalSeconds);
        const int warm = 100;
        await silo.CreateWorkerAsync(name, name, settings.Concurrency, retain: total + warm, cancellationToken);
        var queue = queues.Get<BenchPayload>(name);
        for (int i = 0; i < warm; i++)
        {
            await queue.EnqueueAsync(payload, cancellationToken: cancellationToken);
        }

        await ExpectCompletedAsync(silo, name, 0, warm, cancellationToken);

        var sentAt = new long[total];
        var sends = new Task<(string Id, long AckTicks)>[total];
        async Task<(string Id, long AckTicks)> Send()
        {
            long from = Stopwatch.GetTimestamp();
            var ack = await queue.EnqueueAsync(payload, cancellationToken: cancellationToken);
            return (ack.JobId, Stopwatch.GetTimestamp() - from);
        }

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            sentAt[i] = DateTimeOffset.UtcNow.UtcTicks;
            sends[i] = Send();
        }

        var acks = await Task.WhenAll(sends);
        await ExpectCompletedAsync(silo, name, warm, total, cancellationToken);

        var start = new double[total];
        var done = new double[total];
        await InFlightAsync(ClientInFlight, total, async (i, ct) =>
        {
            var job = await queue.GetAsync(acks[i].Id, ct) ?? throw new InvalidOperationException($"Job {acks[i].Id} was not retained.");
            start[i] = (job.StartedAt!.Value.UtcTicks - sentAt[i]) / (double)TimeSpan.TicksPerMillisecond;
            done[i] = (job.FinishedAt!.Value.UtcTicks - sentAt[i]) / (double)TimeSpan.TicksPerMillisecond;
        }, cancellationToken);

        var started = Percentiles.OfMilliseconds(start);
        var finished = Percentiles.OfMilliseconds(done);
        var acked = Percentiles.Of(acks.Select(a => a.AckTicks));
        string scenario = $"client process, paced {rate} jobs/s for {settings.PacedDuration.TotalSeconds:0} s, concurrency {settings.Concurrency}";
        Add("redis", scenario, "enqueue→start (record's startedAt) p50/p90/p99/max", $"{started.P50} / {started.P90} / {started.P99} / {started.Max}", "ms");
        Add("redis", scenario, "enqueue→completion (record's finishedAt) p50/p90/p99/max", $"{finished.P50} / {finished.P90} / {finished.P99} / {finished.Max}", "ms");
        Add("redis", scenario, "EnqueueAsync acknowledged p50/p90/p99/max", $"{acked.P50} / {acked.P90} / {acked.P99} / {acked.Max}", "ms");
        Add("redis", scenario, "enqueue→start p99", started.P99, "ms");
        await silo.StopWorkerAsync(name, cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> for indexes 0..count-1 with at most <paramref name="loops"/> in flight.</summary>
    private static async Task InFlightAsync(int loops, int count, Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(loops, count)).Select(_ => Task.Run(
            async () =>
            {
                for (int i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    await operation(i, cancellationToken);
                }
            },
            cancellationToken)));
    }

    private static Task InFlightAsync(int loops, int count, Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        InFlightAsync(loops, count, (_, ct) => operation(ct), cancellationToken);

    /// <summary>Waits until <paramref name="queue"/> has completed <paramref name="count"/> more jobs than <paramref name="before"/>
    /// (counting them into <see cref="JobsExpected"/> and <see cref="JobsCompleted"/>); the timestamp of the poll that saw it.</summary>
    private async Task<long> ExpectCompletedAsync(ChildSilo silo, string queue, long before, int count, CancellationToken cancellationToken)
    {
        JobsExpected += count;
        long seen = before;
        try
        {
            return await silo.WaitForCompletedAsync(queue, before + count, settings.ScenarioTimeout, s => seen = s, cancellationToken);
        }
        finally
        {
            JobsCompleted += Math.Clamp(seen - before, 0, count);
        }
    }
}

/// <summary>The client scenarios' payload: <c>{"t":0}</c>, as the in-process scenarios'.</summary>
public sealed record BenchPayload(long T);

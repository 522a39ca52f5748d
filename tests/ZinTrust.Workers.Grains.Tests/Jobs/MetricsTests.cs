using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task JobCounters_CountEveryTransitionOnce_ByQueue()
    {
        const string queue = "q-metrics";
        var counts = new ConcurrentDictionary<string, long>();
        var durations = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkersInstruments.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == WorkersInstruments.QueueTag && (string?)tag.Value == queue)
                {
                    counts.AddOrUpdate(instrument.Name, value, (_, n) => n + value);
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == WorkersInstruments.WorkerTag && (string?)tag.Value == "metrics-worker")
                {
                    durations.Add(value);
                }
            }
        });
        listener.Start();

        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("metrics-worker", queue);
        var jobs = new List<EnqueueResult>();
        for (int i = 0; i < 3; i++)
        {
            jobs.Add(await c.Enqueue(queue, new TestJob()));
        }

        jobs.Add(await c.Enqueue(queue, new TestJob { FailTimes = 1 }, attempts: 2, backoff: new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(10) }));
        var poison = await c.Enqueue(queue, new TestJob { Unrecoverable = true });
        var later = await c.Enqueue(queue, new TestJob(), delay: TimeSpan.FromDays(1));
        await c.Queue(queue).Cancel(later.JobId);
        foreach (var job in jobs)
        {
            await c.WaitForState(queue, job.JobId, JobState.Completed);
        }

        await c.WaitForState(queue, poison.JobId, JobState.Failed);

        Assert.Equal(6, counts.GetValueOrDefault("zintrust.jobs.enqueued"));
        Assert.Equal(4, counts.GetValueOrDefault("zintrust.jobs.completed"));
        Assert.Equal(1, counts.GetValueOrDefault("zintrust.jobs.retried"));
        Assert.Equal(1, counts.GetValueOrDefault("zintrust.jobs.dead_lettered"));
        Assert.Equal(1, counts.GetValueOrDefault("zintrust.jobs.cancelled"));
        Assert.Equal(0, counts.GetValueOrDefault("zintrust.jobs.stalled"));
        Assert.Equal(6, durations.Count);
    }
}

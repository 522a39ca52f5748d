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

    [Fact]
    public async Task QueueTimeAndLeaseAge_AreMeasuredPerLease_AndDepthIsObservedByState()
    {
        const string queue = "q-metrics-times";
        var values = new ConcurrentQueue<(string Instrument, double Value, string? State)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkersInstruments.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var q = c.Queue(queue);
        await q.EnqueueBatch([new EnqueueRequest { Payload = "{}" }, new EnqueueRequest { Payload = "{}" }]);
        await Eventually.True(() => Depth("waiting") == 2, "the gauge shows two waiting jobs");

        c.Clock!.Advance(TimeSpan.FromSeconds(5));
        var leases = await q.Lease("r/0", 2);
        c.Clock.Advance(TimeSpan.FromSeconds(2));
        await q.Report("r/0", [.. leases.Select(l => new JobOutcome { JobId = l.JobId, LeaseToken = l.LeaseToken, Kind = JobOutcomeKind.Completed })]);

        Assert.Equal([5000d, 5000d], Of("zintrust.job.queue_time"));
        Assert.Equal([2000d, 2000d], Of("zintrust.job.lease_age"));
        Assert.Equal(0, Depth("waiting"));
        Assert.Equal(2, Depth("completed"));

        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            string? state = null;
            bool ours = false;
            foreach (var tag in tags)
            {
                ours |= tag.Key == WorkersInstruments.QueueTag && (string?)tag.Value == queue;
                state = tag.Key == WorkersInstruments.StateTag ? (string?)tag.Value : state;
            }

            if (ours)
            {
                values.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), state));
            }
        }

        double[] Of(string instrument) => [.. values.Where(v => v.Instrument == instrument).Select(v => v.Value)];

        // The latest observation of the gauge for a state.
        double Depth(string state)
        {
            values.Clear();
            listener.RecordObservableInstruments();
            return values.LastOrDefault(v => v.Instrument == "zintrust.queue.depth" && v.State == state).Value;
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Records the measurements (long, and double rounded down) of named instruments of the ZinTrust.Workers meter, with their tags.</summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, string?> Tags)> measurements = new();

    public MeterRecorder(params string[] instruments)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkersInstruments.MeterName && instruments.Contains(instrument.Name))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }

            measurements.Enqueue((instrument.Name, value, copy));
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }

            measurements.Enqueue((instrument.Name, (long)value, copy));
        });
        listener.Start();
    }

    /// <summary>The sum of an instrument's measurements whose tags include all of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value)).Sum(m => m.Value);

    /// <summary>How many measurements an instrument (a histogram's, say) took with tags that include all of <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        measurements.Count(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value));

    public void Dispose() => listener.Dispose();
}

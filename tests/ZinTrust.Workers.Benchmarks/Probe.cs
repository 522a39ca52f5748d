using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// Sees every job twice: when the processor starts it (the no-op "bench" processor) and when the queue
/// accepts its completion (an incoming call filter on <c>IQueueGrain.Report</c>, i.e. once it is durable).
/// The payload carries the enqueue timestamp, so both latencies are measured from the producer's call.
/// </summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, long> enqueuedAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> queueCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<long> startLatencies = [];
    private readonly ConcurrentBag<long> completionLatencies = [];
    private long completed;
    private long lastCompletion;
    private TaskCompletionSource? target;
    private long targetCount;

    public long Completed => Interlocked.Read(ref completed);

    public long LastCompletion => Interlocked.Read(ref lastCompletion);

    public static string Payload() => "{\"t\":" + Stopwatch.GetTimestamp() + "}";

    /// <summary>Calls the queue grains received since the last reset, by method.</summary>
    public IReadOnlyDictionary<string, long> QueueCalls => queueCalls;

    public void CountQueueCall(string method) => queueCalls.AddOrUpdate(method, 1, static (_, n) => n + 1);

    public void Reset()
    {
        queueCalls.Clear();
        enqueuedAt.Clear();
        startLatencies.Clear();
        completionLatencies.Clear();
        Interlocked.Exchange(ref completed, 0);
    }

    /// <summary>Completes when <paramref name="count"/> completions have been counted since the last reset.</summary>
    public Task WaitForAsync(long count, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref targetCount, count);
        Volatile.Write(ref target, tcs);
        if (Completed >= count)
        {
            tcs.TrySetResult();
        }

        return tcs.Task.WaitAsync(timeout);
    }

    public Task<object?> Process(JobContext context)
    {
        long now = Stopwatch.GetTimestamp();
        using var doc = JsonDocument.Parse(context.Payload);
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("t", out var t))
        {
            long at = t.GetInt64();
            enqueuedAt[context.JobId] = at;
            startLatencies.Add(now - at);
        }

        return Task.FromResult<object?>(null);
    }

    public void Completions(IReadOnlyList<JobOutcome> outcomes, IReadOnlyList<AckStatus> statuses)
    {
        long now = Stopwatch.GetTimestamp();
        int accepted = 0;
        for (int i = 0; i < outcomes.Count; i++)
        {
            if (statuses[i] != AckStatus.Accepted || outcomes[i].Kind != JobOutcomeKind.Completed)
            {
                continue;
            }

            accepted++;
            if (enqueuedAt.TryRemove(outcomes[i].JobId, out var at))
            {
                completionLatencies.Add(now - at);
            }
        }

        Interlocked.Exchange(ref lastCompletion, now);
        if (Interlocked.Add(ref completed, accepted) >= Volatile.Read(ref targetCount))
        {
            Volatile.Read(ref target)?.TrySetResult();
        }
    }

    public Percentiles StartLatency() => Percentiles.Of(startLatencies);

    public Percentiles CompletionLatency() => Percentiles.Of(completionLatencies);
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Percentiles(int Count, double P50, double P90, double P99, double Max)
{
    public static Percentiles Of(IEnumerable<long> stopwatchTicks) => OfMilliseconds(stopwatchTicks.Select(t => t * 1000.0 / Stopwatch.Frequency));

    public static Percentiles OfMilliseconds(IEnumerable<double> milliseconds)
    {
        var ms = milliseconds.Order().ToArray();
        if (ms.Length == 0)
        {
            return new(0, 0, 0, 0, 0);
        }

        double At(double q) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(q * ms.Length) - 1)];
        return new(ms.Length, Math.Round(At(0.5), 2), Math.Round(At(0.9), 2), Math.Round(At(0.99), 2), Math.Round(ms[^1], 2));
    }
}

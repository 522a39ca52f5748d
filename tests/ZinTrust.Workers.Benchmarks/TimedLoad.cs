using System.Diagnostics;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// Closed-loop load: <c>loops</c> tasks each run an operation again and again (so at most that many are in flight), for a
/// warm-up and then a timed window; the rate is the units the operations finished inside the window over its length.
/// An operation that throws ends the run with its exception (a benchmark whose calls fail measures nothing).
/// </summary>
public static class TimedLoad
{
    /// <summary>Runs <paramref name="operation"/> (it returns how many units it did: 1 request, 1,000 jobs) on
    /// <paramref name="loops"/> loops; returns units per second in the window and the units done in all.</summary>
    public static async Task<(double PerSecond, long Total)> RunAsync(
        int loops, Func<CancellationToken, Task<int>> operation, TimeSpan warmup, TimeSpan window, CancellationToken cancellationToken)
    {
        long done = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = Enumerable.Range(0, loops).Select(_ => Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Interlocked.Add(ref done, await operation(cancellationToken));
                }
            },
            CancellationToken.None)).ToArray();
        var all = Task.WhenAll(tasks);
        try
        {
            await WaitAsync(all, warmup, cancellationToken);
            long before = Interlocked.Read(ref done), from = Stopwatch.GetTimestamp();
            await WaitAsync(all, window, cancellationToken);
            long after = Interlocked.Read(ref done);
            double seconds = Stopwatch.GetElapsedTime(from).TotalSeconds;
            stop.Cancel();
            await all;
            return ((after - before) / seconds, Interlocked.Read(ref done));
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None));
        }
    }

    /// <summary>Waits <paramref name="time"/>, or throws at once when the loops have failed meanwhile.</summary>
    private static async Task WaitAsync(Task loops, TimeSpan time, CancellationToken cancellationToken)
    {
        if (await Task.WhenAny(loops, Task.Delay(time, cancellationToken)) == loops)
        {
            await loops;   // a loop threw (they never end by themselves before the stop)
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}

using System.Globalization;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>CPU time of this process's threads by name, from /proc (Linux only; empty elsewhere).</summary>
public static class ThreadCpu
{
    /// <summary>The runtime's background tiered-compilation thread (thread names are cut to 15 characters).</summary>
    public const string TieredCompilation = ".NET Tiered Com";

    private const double TicksPerSecond = 100;   // USER_HZ

    public static IReadOnlyDictionary<int, (string Name, long Ticks)> Snapshot()
    {
        var threads = new Dictionary<int, (string, long)>();
        if (!OperatingSystem.IsLinux())
        {
            return threads;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                // The name is in parentheses and may hold spaces; utime and stime are the 12th and 13th fields after it.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (stat[(open + 1)..close], ticks);
            }
            catch (IOException)
            {
                // The thread ended while we read it.
            }
        }

        return threads;
    }

    /// <summary>CPU used since <paramref name="before"/> by the threads called <paramref name="name"/>.</summary>
    public static TimeSpan Since(IReadOnlyDictionary<int, (string Name, long Ticks)> before, string name)
    {
        long ticks = 0;
        foreach (var (tid, now) in Snapshot())
        {
            if (now.Name == name)
            {
                ticks += now.Ticks - (before.TryGetValue(tid, out var then) && then.Name == name ? then.Ticks : 0);
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}

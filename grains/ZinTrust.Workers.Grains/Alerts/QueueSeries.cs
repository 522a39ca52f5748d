namespace ZinTrust.Workers.Grains;

/// <summary>
/// The depth and oldest wait of each watched queue as the evaluator read them, for trends: at most one point per
/// <see cref="Spacing"/>, a day's worth, for at most <see cref="MaxQueues"/> queues (16 bytes a point). In memory only: it starts
/// empty when the evaluator moves to another silo. Not thread-safe: owned by the alert grain.
/// </summary>
internal sealed class QueueSeries(TimeSpan spacing)
{
    public const int MaxQueues = 1000;
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private readonly Dictionary<string, Track> queues = new(StringComparer.Ordinal);

    public TimeSpan Spacing { get; } = spacing < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : spacing;

    public void Record(string queue, DateTimeOffset at, int waiting, double oldestWaitSeconds)
    {
        if (!queues.TryGetValue(queue, out var track))
        {
            if (queues.Count >= MaxQueues)
            {
                return;
            }

            queues[queue] = track = new Track();
        }

        var points = track.Points;
        if (points.Count > 0 && at.UtcTicks - track.LastTicks < Spacing.Ticks)
        {
            return;
        }

        track.LastTicks = at.UtcTicks;
        points.Enqueue(new Point(at.UtcTicks, waiting, (int)Math.Min(int.MaxValue, Math.Max(0, oldestWaitSeconds))));
        int limit = (int)(Window / Spacing) + 1;
        while (points.Count > limit)
        {
            points.Dequeue();
        }
    }

    /// <summary>Drops points older than a day, and queues left with none.</summary>
    public void Trim(DateTimeOffset now)
    {
        long oldest = (now - Window).UtcTicks;
        foreach (var (queue, track) in queues.ToArray())
        {
            var points = track.Points;
            while (points.Count > 0 && points.Peek().Ticks < oldest)
            {
                points.Dequeue();
            }

            if (points.Count == 0)
            {
                queues.Remove(queue);
            }
        }
    }

    /// <summary>Each queue's points at or after <paramref name="from"/>, oldest first (a copy).</summary>
    public IReadOnlyList<(string Queue, IReadOnlyList<(DateTimeOffset At, int Waiting, int OldestWaitSeconds)> Points)> Since(DateTimeOffset from)
    {
        long start = from.UtcTicks;
        return
        [
            .. queues.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => (q.Key, (IReadOnlyList<(DateTimeOffset, int, int)>)
                [.. q.Value.Points.Where(p => p.Ticks >= start).Select(p => (new DateTimeOffset(p.Ticks, TimeSpan.Zero), p.Waiting, p.OldestWaitSeconds))])),
        ];
    }

    private readonly record struct Point(long Ticks, int Waiting, int OldestWaitSeconds);

    private sealed class Track
    {
        public Queue<Point> Points { get; } = new();

        public long LastTicks { get; set; }
    }
}

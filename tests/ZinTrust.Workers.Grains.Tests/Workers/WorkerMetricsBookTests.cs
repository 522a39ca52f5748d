using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The arithmetic of durable metrics: UTC buckets, retention, and counting cumulative reports exactly once.</summary>
public sealed class WorkerMetricsBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 31, 22, 10, 0, TimeSpan.Zero);

    [Fact]
    public void RunsLandInTheirUtcHourDayAndMonth_AndTheMonthRollsOverAtItsBoundary()
    {
        var book = new WorkerMetricsBook(new WorkerMetricsState());
        var replica = new Replica("a");

        Assert.True(book.AddReplica("w/0", replica.Ran(3), T0));
        Assert.True(book.AddReplica("w/0", replica.Ran(2), new DateTimeOffset(2026, 1, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.True(book.AddReplica("w/0", replica.Ran(4), new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        // A time in another offset is the same instant: 2026-02-01 02:30 at +03:00 is 2026-01-31 23:30 UTC.
        Assert.True(book.AddReplica("w/0", replica.Ran(1), new DateTimeOffset(2026, 2, 1, 2, 30, 0, TimeSpan.FromHours(3))));
        var now = new DateTimeOffset(2026, 2, 1, 0, 30, 0, TimeSpan.Zero);

        Assert.Equal(
            [(Utc(2026, 1, 31, 22), 3L), (Utc(2026, 1, 31, 23), 3L), (Utc(2026, 2, 1, 0), 4L)],
            book.Read(WorkerMetricsPeriod.Hour, 48, now).Select(b => (b.Start, b.Completed)));
        Assert.Equal([(Utc(2026, 1, 31), 6L), (Utc(2026, 2, 1), 4L)], book.Read(WorkerMetricsPeriod.Day, 62, now).Select(b => (b.Start, b.Completed)));
        Assert.Equal([(Utc(2026, 1, 1), 6L), (Utc(2026, 2, 1), 4L)], book.Read(WorkerMetricsPeriod.Month, 24, now).Select(b => (b.Start, b.Completed)));
        Assert.Equal(Utc(2026, 3, 1), book.Read(WorkerMetricsPeriod.Month, 24, now)[^1].End);
        Assert.Equal(Utc(2026, 2, 1, 1), book.Read(WorkerMetricsPeriod.Hour, 48, now)[^1].End);
    }

    [Fact]
    public void LeapDay_EndsFebruary_AndTheYearTurns()
    {
        var book = new WorkerMetricsBook(new WorkerMetricsState());
        var replica = new Replica("a");
        book.AddReplica("w/0", replica.Ran(1), new DateTimeOffset(2028, 2, 29, 23, 0, 0, TimeSpan.Zero));
        book.AddReplica("w/0", replica.Ran(1), new DateTimeOffset(2028, 3, 1, 0, 0, 1, TimeSpan.Zero));
        book.AddReplica("w/0", replica.Ran(1), new DateTimeOffset(2028, 12, 31, 23, 59, 0, TimeSpan.Zero));
        book.AddReplica("w/0", replica.Ran(1), new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var months = book.Read(WorkerMetricsPeriod.Month, 24, new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal([Utc(2028, 2, 1), Utc(2028, 3, 1), Utc(2028, 12, 1), Utc(2029, 1, 1)], months.Select(m => m.Start));
        Assert.Equal(Utc(2028, 3, 1), months[0].End);
        Assert.All(months, m => Assert.Equal(1, m.Completed));
    }

    [Fact]
    public void Retention_Keeps48Hours62DaysAnd24Months_CountedBackFromNow()
    {
        var state = new WorkerMetricsState();
        var book = new WorkerMetricsBook(state);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var at = start; at < start.AddMonths(30); at = at.AddHours(7))
        {
            book.Observe(at);
        }

        var now = start.AddMonths(30).AddHours(-1);
        book.Observe(now);

        // An hour was observed every 7 h: of those, only the ones in the last 48 hours (this one and the 47 before) are kept.
        Assert.All(state.Hours, h => Assert.True(h.Start >= WorkerMetricsBook.StartOf(WorkerMetricsPeriod.Hour, now).AddHours(-47), $"{h.Start} is too old"));
        Assert.InRange(state.Hours.Count, 6, 8);
        Assert.Equal(62, state.Days.Count);
        Assert.Equal(WorkerMetricsBook.StartOf(WorkerMetricsPeriod.Day, now).AddDays(-61), state.Days[0].Start);
        Assert.Equal(24, state.Months.Count);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), state.Months[0].Start);
        Assert.Equal(24, book.Read(WorkerMetricsPeriod.Month, 100, now).Count);
        Assert.Equal(5, book.Read(WorkerMetricsPeriod.Day, 5, now).Count);
        Assert.Equal(state.Days[^1].Start, book.Read(WorkerMetricsPeriod.Day, 5, now)[^1].Start);   // the newest five, oldest first
    }

    [Fact]
    public void ARestartedReplica_CountsFromZero_AndLateReportsOfWhatWasCountedAreIgnored()
    {
        var book = new WorkerMetricsBook(new WorkerMetricsState());
        var first = new Replica("first");
        var early = first.Ran(4);

        Assert.True(book.AddReplica("w/0", early, T0));
        Assert.True(book.AddReplica("w/0", first.Ran(6), T0));
        var final = first.Ran(0);
        Assert.False(book.AddReplica("w/0", final, T0));                     // nothing new
        Assert.False(book.AddReplica("w/0", early, T0));                     // an earlier report arriving late
        var second = new Replica("second");                                  // the replica restarted: its counters drop
        Assert.True(book.AddReplica("w/0", second.Ran(3, failedRuns: 1), T0));
        Assert.False(book.AddReplica("w/0", final, T0));                     // the replaced runner's report, arriving late
        Assert.True(book.AddReplica("w/1", new Replica("other").Ran(5), T0));   // another replica counts on its own

        var hour = Assert.Single(book.Read(WorkerMetricsPeriod.Hour, 48, T0));
        Assert.Equal((18L, 1L), (hour.Completed, hour.Failed));
        Assert.Equal(TimeSpan.FromMilliseconds(10), hour.Average);
        Assert.InRange(hour.P99!.Value.TotalMilliseconds, 9.5, 10.5);
    }

    [Fact]
    public void AReplicaOfAnEarlierBuild_IsCountedByItsCoarseHistogram_AndADropOfItsCountersIsARestart()
    {
        var book = new WorkerMetricsBook(new WorkerMetricsState());
        var coarse = new DurationHistogram();
        for (int i = 0; i < 10; i++)
        {
            coarse.Record(TimeSpan.FromMilliseconds(40));
        }

        var old = new ReplicaStatus { ReplicaId = "w/0", Completed = 10, TotalDuration = TimeSpan.FromMilliseconds(400), DurationBuckets = coarse.Snapshot() };
        Assert.True(book.AddReplica("w/0", old, T0));
        Assert.False(book.AddReplica("w/0", old, T0));
        Assert.True(book.AddReplica("w/0", old with { Completed = 2, DurationBuckets = null, TotalDuration = TimeSpan.FromMilliseconds(80) }, T0));

        var hour = Assert.Single(book.Read(WorkerMetricsPeriod.Hour, 48, T0));
        Assert.Equal(12, hour.Completed);
        Assert.Equal(TimeSpan.FromMilliseconds(40), hour.Average);
        Assert.InRange(hour.P50!.Value.TotalMilliseconds, 40, 40 * 1.25 * 1.05);   // the coarse bucket's upper bound, then 5 %
    }

    [Fact]
    public void QueueCounters_FromBeforeCollecting_AreABaseline_AndARestartedQueueCountsFromZero()
    {
        var state = new WorkerMetricsState();
        var book = new WorkerMetricsBook(state);
        book.Observe(T0);
        var old = Queue(since: T0.AddDays(-3), retried: 40, dead: 7);

        Assert.False(book.AddQueue(old, T0));                                                   // counted before this worker collected
        Assert.True(book.AddQueue(Queue(since: T0.AddDays(-3), retried: 43, dead: 8), T0));   // +3, +1
        Assert.False(book.AddQueue(old, T0));                                                   // late
        Assert.True(book.AddQueue(Queue(since: T0.AddMinutes(5), retried: 2, dead: 0), T0));  // the queue grain restarted
        Assert.False(book.AddQueue(Queue(since: T0.AddDays(-3), retried: 50, dead: 9), T0));  // its previous activation, late

        var hour = Assert.Single(book.Read(WorkerMetricsPeriod.Hour, 48, T0));
        Assert.Equal((5L, 1L), (hour.Retried, hour.DeadLettered));
    }

    [Fact]
    public void Baselines_OfReplicasStillThere_SurviveAClockJump_WhileThoseLongGoneAreForgotten()
    {
        var state = new WorkerMetricsState();
        var book = new WorkerMetricsBook(state);
        var live = new Replica("live");
        book.AddReplica("w/0", live.Ran(5), T0);
        book.AddReplica("w/9", new Replica("gone").Ran(1), T0);
        book.AddQueue(Queue(since: T0, retried: 1, dead: 0), T0);

        var later = T0.AddDays(40);
        book.Observe(later);
        Assert.True(book.Forget(later, new HashSet<string> { "w/0" }, new HashSet<string>()));
        Assert.False(book.AddReplica("w/0", live.Ran(0), later));   // still known: nothing counted twice
        Assert.True(book.AddReplica("w/0", live.Ran(2), later));

        Assert.Equal(["w/0"], state.Replicas.Keys);
        Assert.Empty(state.Queues);
        Assert.Equal(2, book.Read(WorkerMetricsPeriod.Hour, 48, later).Sum(h => h.Completed));
        Assert.Equal(8, book.Read(WorkerMetricsPeriod.Month, 24, later).Sum(m => m.Completed));
    }

    [Fact]
    public void RunTimes_GiveAverageMinMaxAndPercentiles_Within5Percent()
    {
        var book = new WorkerMetricsBook(new WorkerMetricsState());
        var replica = new Replica("a");
        for (int ms = 1; ms <= 1000; ms++)
        {
            replica.Record(TimeSpan.FromMilliseconds(ms));
        }

        book.AddReplica("w/0", replica.Ran(1000), T0);
        var hour = Assert.Single(book.Read(WorkerMetricsPeriod.Hour, 48, T0));

        Assert.Equal(500.5, hour.Average!.Value.TotalMilliseconds, 3);
        foreach (var (value, exact) in new[] { (hour.Min, 1.0), (hour.Max, 1000.0), (hour.P50, 500.0), (hour.P95, 950.0), (hour.P99, 990.0) })
        {
            Assert.InRange(value!.Value.TotalMilliseconds / exact, 0.95, 1.05);
        }
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static QueueStats Queue(DateTimeOffset since, long retried, long dead) =>
        new() { Queue = "q", Counters = new QueueCounters { Since = since, Retried = retried, DeadLettered = dead } };

    /// <summary>A replica runner's cumulative report: counters and run-time histogram that only grow within one incarnation.</summary>
    private sealed class Replica(string incarnation)
    {
        private readonly RunTimeHistogram runTimes = new();
        private long completed;
        private long failed;
        private long ticks;
        private long recorded;

        public void Record(TimeSpan run)
        {
            runTimes.Record(run);
            ticks += run.Ticks;
            recorded++;
        }

        /// <summary>Runs more (10 ms each, unless recorded beforehand) and reports.</summary>
        public ReplicaStatus Ran(int completedRuns, int failedRuns = 0)
        {
            completed += completedRuns;
            failed += failedRuns;
            while (recorded < completed + failed)
            {
                Record(TimeSpan.FromMilliseconds(10));
            }

            return new ReplicaStatus
            {
                ReplicaId = "w/0",
                Incarnation = incarnation,
                Completed = completed,
                Failed = failed,
                TotalDuration = TimeSpan.FromTicks(ticks),
                RunTimeBuckets = runTimes.Snapshot(),
            };
        }
    }
}

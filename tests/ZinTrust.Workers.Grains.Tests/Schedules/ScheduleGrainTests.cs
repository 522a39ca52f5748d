using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests.Schedules;

/// <summary>Schedules under a fake clock: each occurrence once, the overlap policies, catch-up, pause on failure, trigger, backfill.</summary>
public sealed class ScheduleGrainTests
{
    private static ScheduleDefinition EveryMinute(string id, string queue, ScheduleOverlap overlap = ScheduleOverlap.AllowAll) => new()
    {
        Id = id,
        Queue = queue,
        Every = TimeSpan.FromMinutes(1),
        Payload = ExecutionLedger.Payload(new TestJob { Tag = id }),
        Overlap = overlap,
    };

    private static async Task<int> Jobs(WorkersCluster c, string queue) =>
        (await c.Queue(queue).ListJobs(JobState.Waiting, 0, 1000)).Count + (await c.Queue(queue).ListJobs(JobState.Cancelled, 0, 1000)).Count;

    /// <summary>Moves the fake clock on and fires what fell due (what the schedule's timer does at that moment).</summary>
    private static async Task Pass(WorkersCluster c, string id, TimeSpan time)
    {
        c.Clock!.Advance(time);
        await c.Client.GetGrain<IScheduleTicks>(id).FireDue();
    }

    [Fact]
    public async Task EachOccurrence_EnqueuesOneJob_WithItsOccurrenceKey_AndFiringAgainAddsNone()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var schedule = c.Client.GetGrain<IScheduleGrain>("minutely");
        var created = await schedule.Put(EveryMinute("minutely", "sched-q"), replace: false, by: "test");
        var first = c.Clock!.GetUtcNow().AddMinutes(1);
        Assert.Equal(first, created.NextRunAt);

        await Pass(c, "minutely", TimeSpan.FromMinutes(1));
        await Pass(c, "minutely", TimeSpan.Zero);   // the same moment again: nothing new
        Assert.Equal(1, await Jobs(c, "sched-q"));

        await Pass(c, "minutely", TimeSpan.FromMinutes(1));
        var info = (await schedule.Get())!;
        Assert.Equal((2L, 2), (info.Enqueued, await Jobs(c, "sched-q")));
        Assert.Equal(first.AddMinutes(2), info.NextRunAt);
        var job = (await c.Queue("sched-q").GetJob(info.LastJobId!))!;
        Assert.Equal($"schedule:minutely:{first.AddMinutes(1).ToUnixTimeMilliseconds()}", job.IdempotencyKey);
        Assert.Equal("minutely", job.Headers!["schedule-id"]);
        Assert.Equal(["enqueued", "enqueued"], info.Recent.Select(f => f.Outcome));
    }

    [Fact]
    public async Task AnOccurrenceFiredByAnActivationThatDied_BeforeItsStateWasWritten_IsNotEnqueuedTwice()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var definition = EveryMinute("resumed", "sched-q2");
        await c.Client.GetGrain<IScheduleGrain>("resumed").Put(definition, replace: false, by: null);
        var occurrence = c.Clock!.GetUtcNow().AddMinutes(1);

        // What the lost activation did: the enqueue with the occurrence's key (the same request the grain makes).
        var earlier = await c.Queue("sched-q2").Enqueue(new EnqueueRequest
        {
            Payload = definition.Payload,
            Name = "schedule:resumed",
            IdempotencyKey = $"schedule:resumed:{occurrence.ToUnixTimeMilliseconds()}",
            IdempotencyTtl = TimeSpan.FromDays(7),
        });
        await Pass(c, "resumed", TimeSpan.FromMinutes(1));

        var info = (await c.Client.GetGrain<IScheduleGrain>("resumed").Get())!;
        Assert.Equal((earlier.JobId, 0L, 1), (info.LastJobId, info.Enqueued, await Jobs(c, "sched-q2")));
        Assert.Equal("fired before; the same job", info.Recent.Single().Note);
    }

    [Fact]
    public async Task Overlap_Skip_Buffer_Cancel_AndAllow_DecideWhatAnOccurrenceDoesWhileThePreviousJobWaits()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        foreach (var overlap in Enum.GetValues<ScheduleOverlap>())
        {
            await c.Client.GetGrain<IScheduleGrain>($"o-{overlap}").Put(EveryMinute($"o-{overlap}", $"q-{overlap}", overlap), replace: false, by: null);
        }

        // No worker runs these queues: each first job stays waiting through the second occurrence.
        foreach (var overlap in Enum.GetValues<ScheduleOverlap>())
        {
            await Pass(c, $"o-{overlap}", TimeSpan.Zero);
        }

        c.Clock!.Advance(TimeSpan.FromMinutes(2));
        foreach (var overlap in Enum.GetValues<ScheduleOverlap>())
        {
            await Pass(c, $"o-{overlap}", TimeSpan.Zero);
        }

        async Task<(long Enqueued, long Skipped, int Waiting, int Cancelled, string[] Outcomes)> Of(ScheduleOverlap o)
        {
            var info = (await c.Client.GetGrain<IScheduleGrain>($"o-{o}").Get())!;
            return (info.Enqueued, info.Skipped, (await c.Queue($"q-{o}").ListJobs(JobState.Waiting, 0, 10)).Count,
                (await c.Queue($"q-{o}").ListJobs(JobState.Cancelled, 0, 10)).Count, [.. info.Recent.Select(f => f.Outcome)]);
        }

        Assert.Equal((1L, 1L, 1, 0), Trim(await Of(ScheduleOverlap.Skip)));
        Assert.Equal((2L, 0L, 2, 0), Trim(await Of(ScheduleOverlap.AllowAll)));
        Assert.Equal((2L, 0L, 1, 1), Trim(await Of(ScheduleOverlap.CancelOther)));
        var buffered = await Of(ScheduleOverlap.BufferOne);
        Assert.Equal((1L, 0L, 1, 0), Trim(buffered));
        Assert.Equal(["enqueued", "buffered"], buffered.Outcomes);

        // Once the waiting job ends, the buffered occurrence runs (with its own occurrence key).
        var first = (await c.Client.GetGrain<IScheduleGrain>("o-BufferOne").Get())!.LastJobId!;
        await c.Queue("q-BufferOne").Cancel(first);
        await Pass(c, "o-BufferOne", TimeSpan.Zero);
        var after = (await c.Client.GetGrain<IScheduleGrain>("o-BufferOne").Get())!;
        Assert.Equal((2L, (DateTimeOffset?)null), (after.Enqueued, after.Buffered));
        Assert.NotEqual(first, after.LastJobId);

        static (long, long, int, int) Trim((long Enqueued, long Skipped, int Waiting, int Cancelled, string[] _) o) => (o.Enqueued, o.Skipped, o.Waiting, o.Cancelled);
    }

    [Fact]
    public async Task AfterDowntime_OccurrencesWithinTheCatchupWindowRun_OlderOnesAreCountedAsMissed()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var schedule = c.Client.GetGrain<IScheduleGrain>("catchup");
        await schedule.Put(EveryMinute("catchup", "sched-q3") with { CatchupWindow = TimeSpan.FromMinutes(3) }, replace: false, by: null);

        await Pass(c, "catchup", TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(30));   // ten occurrences passed
        var info = (await schedule.Get())!;
        Assert.Equal((7L, 3L), (info.Missed, info.Enqueued));   // minutes 1..7 missed; 8, 9, 10 within 3 minutes
        Assert.Equal(c.Clock!.GetUtcNow().AddSeconds(30), info.NextRunAt);
    }

    [Fact]
    public async Task PauseOnFailure_PausesWhenAJobIsDeadLettered_AndResumeGoesOnFromNow()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        await c.StartWorker("failing", "sched-fail", jobOptions: new JobOptions { Attempts = 1 });
        var schedule = c.Client.GetGrain<IScheduleGrain>("fragile");
        await schedule.Put(EveryMinute("fragile", "sched-fail") with { PauseOnFailure = true, Payload = ExecutionLedger.Payload(new TestJob { Unrecoverable = true }) }, replace: false, by: null);

        await Pass(c, "fragile", TimeSpan.FromMinutes(1));
        var failed = (await schedule.Get())!.LastJobId!;
        await c.WaitForState("sched-fail", failed, JobState.Failed);
        await Pass(c, "fragile", TimeSpan.FromMinutes(1));
        var paused = (await schedule.Get())!;
        Assert.True(paused.Paused);
        Assert.Contains(failed, paused.PauseNote, StringComparison.Ordinal);
        Assert.Null(paused.NextRunAt);

        await Pass(c, "fragile", TimeSpan.FromMinutes(5));
        Assert.Equal(1L, (await schedule.Get())!.Enqueued);   // nothing while paused

        var resumed = await schedule.Resume("ops", "fixed the report");
        Assert.Equal((false, "ops"), (resumed.Paused, resumed.PausedBy));
        Assert.Equal(c.Clock!.GetUtcNow().AddMinutes(1), resumed.NextRunAt);   // the clock stands on a whole minute
        await Pass(c, "fragile", TimeSpan.FromMinutes(1));
        Assert.Equal(2L, (await schedule.Get())!.Enqueued);   // the failure it was resumed past does not pause it again
    }

    [Fact]
    public async Task Trigger_RunsOneNow_AndBackfill_RunsEachPastOccurrenceOnce()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var schedule = c.Client.GetGrain<IScheduleGrain>("filler");
        await schedule.Put(EveryMinute("filler", "sched-q4"), replace: false, by: null);
        await schedule.Pause("ops", "maintenance");

        var triggered = await schedule.Trigger("ops");
        Assert.Equal("triggered", triggered.Outcome);
        Assert.NotNull(await c.Queue("sched-q4").GetJob(triggered.JobId!));

        var now = c.Clock!.GetUtcNow();
        var fires = await schedule.Backfill(now.AddMinutes(-3), now, "ops");
        Assert.Equal(4, fires.Count);   // minutes -3, -2, -1 and now (the clock starts on a minute)
        var again = await schedule.Backfill(now.AddMinutes(-1), now, "ops");
        Assert.Equal(fires.TakeLast(2).Select(f => f.JobId), again.Select(f => f.JobId));   // the same jobs: nothing ran twice
        Assert.Equal(5, (await c.Queue("sched-q4").ListJobs(JobState.Waiting, 0, 100)).Count);

        var future = await Assert.ThrowsAsync<WorkersException>(() => schedule.Backfill(now, now.AddMinutes(5), null));
        Assert.Equal(WorkersErrorCodes.InvalidSchedule, future.Code);
    }

    [Fact]
    public async Task Put_RefusesABadDefinition_AndAnExistingId_UnlessReplacing_AndDeleteForgetsIt()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var schedule = c.Client.GetGrain<IScheduleGrain>("unique");
        var bad = await Assert.ThrowsAsync<WorkersException>(() => schedule.Put(EveryMinute("unique", "sched-q5") with { Cron = "* * * * *" }, false, null));
        Assert.Equal(WorkersErrorCodes.InvalidSchedule, bad.Code);

        await schedule.Put(EveryMinute("unique", "sched-q5"), false, null);
        var exists = await Assert.ThrowsAsync<WorkersException>(() => schedule.Put(EveryMinute("unique", "sched-q5"), false, null));
        Assert.Equal(WorkersErrorCodes.ScheduleExists, exists.Code);
        var replaced = await schedule.Put(EveryMinute("unique", "sched-q5") with { Every = TimeSpan.FromMinutes(5) }, true, null);
        Assert.Equal(TimeSpan.FromMinutes(5), replaced.Definition.Every);
        Assert.Equal(["unique"], await c.Client.GetGrain<IScheduleDirectoryGrain>(0).List());

        Assert.True(await schedule.Delete("ops"));
        Assert.Null(await schedule.Get());
        Assert.Empty(await c.Client.GetGrain<IScheduleDirectoryGrain>(0).List());
        var gone = await Assert.ThrowsAsync<WorkersException>(() => schedule.Pause(null, null));
        Assert.Equal(WorkersErrorCodes.ScheduleNotFound, gone.Code);
    }
}

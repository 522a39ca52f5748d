using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Fires the schedule's due occurrences now (what its timer and reminder do); for tests under a fake clock.</summary>
[Alias("zt.IScheduleTicks")]
internal interface IScheduleTicks : IGrainWithStringKey
{
    [Alias("FireDue")]
    Task FireDue();
}

/// <summary>
/// One schedule. Every due occurrence is handled in order and the state is written after each: fired (enqueued with the
/// idempotency key <c>schedule:{id}:{occurrence in Unix ms}</c>), skipped or buffered by the overlap policy, or missed when older
/// than the catch-up window. A silo that dies between the enqueue and the write leaves the occurrence due, so the next
/// activation fires it again and the queue answers with the same job: each occurrence runs once across the cluster. A durable
/// reminder (every <see cref="WorkersOptions.SupervisionReminderPeriod"/>) brings the grain back after any loss; a timer fires
/// occurrences on time between reminders.
/// </summary>
internal sealed partial class ScheduleGrain : Grain, IScheduleGrain, IScheduleTicks, IRemindable
{
    public const int MaxRecent = 50;
    private const string Reminder = "schedule";
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan BufferPoll = TimeSpan.FromSeconds(1);
    private const int MaxMissedCounted = 100_000;

    private readonly IPersistentState<ScheduleGrainState> state;
    private readonly WorkersOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<ScheduleGrain> logger;
    private readonly string silo;
    private IGrainTimer? timer;

    public ScheduleGrain(
        [PersistentState("schedule", WorkersStorage.Name)] IPersistentState<ScheduleGrainState> state,
        IOptions<WorkersOptions> options,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        ILocalSiloDetails silo,
        ILogger<ScheduleGrain> logger)
    {
        this.silo = silo.SiloAddress.ToString();
        this.state = state;
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
    }

    private string Id => this.GetPrimaryKeyString();

    private ScheduleGrainState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Definition is not null && !S.Paused)
        {
            Arm(TimeSpan.Zero);   // moved or restarted: handle what fell due meanwhile
        }

        return Task.CompletedTask;
    }

    public async Task<ScheduleInfo> Put(ScheduleDefinition definition, bool replace, string? by)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (ScheduleTimes.Problem(definition) is { } problem)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidSchedule, problem);
        }

        if (definition.Id != Id)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidSchedule, $"id '{definition.Id}' is not this schedule's ('{Id}').");
        }

        var now = clock.GetUtcNow();
        if (S.Definition is not null && !replace)
        {
            throw new WorkersException(WorkersErrorCodes.ScheduleExists, $"Schedule '{Id}' exists; replace it with PUT.");
        }

        if (S.Definition is null)
        {
            S.CreatedAt = now;
        }

        S.Definition = definition;
        S.UpdatedAt = now;
        S.Buffered = null;
        S.NextRunAt = S.Paused ? null : ScheduleTimes.Next(definition, now);
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IScheduleDirectoryGrain>(0).Add(Id);
        await this.RegisterOrUpdateReminder(Reminder, options.SupervisionReminderPeriod, options.SupervisionReminderPeriod);
        LogPut(logger, Id, definition.Queue, S.NextRunAt, by);
        Arm(Due());
        return Info();
    }

    public Task<ScheduleInfo?> Get() => Task.FromResult(S.Definition is null ? null : Info());

    public async Task<ScheduleInfo> Pause(string? by, string? note)
    {
        Ensure();
        if (!S.Paused)
        {
            SetPaused(by, note ?? "paused by an operator");
            await state.WriteStateAsync();
        }

        return Info();
    }

    public async Task<ScheduleInfo> Resume(string? by, string? note)
    {
        var definition = Ensure();
        if (S.Paused)
        {
            var now = clock.GetUtcNow();
            S.Paused = false;
            S.PausedBy = by;
            S.PauseNote = note;
            S.PausedAt = null;
            S.AcknowledgedFailure = S.LastJobId;   // a failure that paused it does not pause it again
            S.NextRunAt = ScheduleTimes.Next(definition, now);
            S.UpdatedAt = now;
            await state.WriteStateAsync();
            Arm(Due());
        }

        return Info();
    }

    public async Task<ScheduleFire> Trigger(string? by)
    {
        var definition = Ensure();
        var now = clock.GetUtcNow();
        var fire = await EnqueueAsync(definition, now, $"schedule:{Id}:trigger:{now.ToUnixTimeMilliseconds()}", "triggered", $"by {by ?? "an operator"}");
        await state.WriteStateAsync();
        return fire;
    }

    public async Task<IReadOnlyList<ScheduleFire>> Backfill(DateTimeOffset from, DateTimeOffset to, string? by)
    {
        var definition = Ensure();
        var now = clock.GetUtcNow();
        if (to < from || to > now)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidSchedule, "Backfill needs from ≤ to ≤ now.");
        }

        var fires = new List<ScheduleFire>();
        foreach (var occurrence in ScheduleTimes.Between(definition, from, to))
        {
            // The occurrence's own key: an occurrence that already ran answers with its job instead of running again.
            fires.Add(await EnqueueAsync(definition, occurrence, OccurrenceKey(occurrence), "backfilled", $"by {by ?? "an operator"}"));
        }

        await state.WriteStateAsync();
        return fires;
    }

    public async Task<bool> Delete(string? by)
    {
        if (S.Definition is null)
        {
            return false;
        }

        await state.ClearStateAsync();
        state.State = new ScheduleGrainState();
        timer?.Dispose();
        timer = null;
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await GrainFactory.GetGrain<IScheduleDirectoryGrain>(0).Remove(Id);
        LogDeleted(logger, Id, by);
        DeactivateOnIdle();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.Definition is null)
        {
            if (await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        await FireDue();
    }

    /// <summary>Handles every occurrence due by now, in order, writing the state after each; then waits for the next one.</summary>
    public async Task FireDue()
    {
        if (S.Definition is not { } definition || S.Paused)
        {
            return;
        }

        var wait = TimeSpan.Zero;
        try
        {
            var now = clock.GetUtcNow();
            if (S.Buffered is { } buffered && !await PreviousRunsAsync())
            {
                S.Buffered = null;
                await EnqueueAsync(definition, buffered, OccurrenceKey(buffered), "enqueued", "buffered until the previous job finished");
                await state.WriteStateAsync();
            }

            SkipMissed(definition, now);
            while (!S.Paused && S.NextRunAt is { } occurrence && occurrence <= now)
            {
                await OccurAsync(definition, occurrence);
                if (!S.Paused)   // paused on failure: the schedule goes on from its resumption
                {
                    S.LastOccurrence = occurrence;
                    S.NextRunAt = ScheduleTimes.Next(definition, occurrence);
                }

                S.UpdatedAt = now;
                await state.WriteStateAsync();
            }

            wait = Due();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The queue or the store did not answer: the occurrence stays due and is tried again shortly (its key keeps it single).
            LogFireFailed(logger, ex, Id, S.NextRunAt);
            wait = RetryWait;
        }

        Arm(wait);
    }

    private async Task OccurAsync(ScheduleDefinition definition, DateTimeOffset occurrence)
    {
        var previous = S.LastJobId is { } id ? await Queues.ForJob(definition.Queue, id).GetJob(id) : null;
        if (definition.PauseOnFailure && previous is { State: JobState.Failed } && previous.Id != S.AcknowledgedFailure)
        {
            SetPaused(null, $"paused on failure: job {previous.Id} was dead-lettered");
            Record(occurrence, "paused-on-failure", previous.Id, S.PauseNote);
            return;
        }

        var running = Unfinished(previous);
        if (running)
        {
            switch (definition.Overlap)
            {
                case ScheduleOverlap.Skip:
                    S.Skipped++;
                    Record(occurrence, "skipped", null, $"job {previous!.Id} still {Name(previous.State)}");
                    return;
                case ScheduleOverlap.BufferOne when S.Buffered is null:
                    S.Buffered = occurrence;
                    Record(occurrence, "buffered", null, $"waits for job {previous!.Id}");
                    return;
                case ScheduleOverlap.BufferOne:
                    S.Skipped++;
                    Record(occurrence, "skipped", null, "one occurrence is buffered already");
                    return;
                case ScheduleOverlap.CancelOther:
                    await Queues.ForJob(definition.Queue, previous!.Id).Cancel(previous.Id);
                    break;
            }
        }

        await EnqueueAsync(definition, occurrence, OccurrenceKey(occurrence), "enqueued", running && definition.Overlap == ScheduleOverlap.CancelOther ? $"cancelled job {previous!.Id}" : null);
    }

    /// <summary>Occurrences older than the catch-up window are counted as missed, not run; the schedule goes on from the window.</summary>
    private void SkipMissed(ScheduleDefinition definition, DateTimeOffset now)
    {
        var oldest = now - definition.CatchupWindow;
        if (S.NextRunAt is not { } first || first >= oldest)
        {
            return;
        }

        long missed = 0;
        var next = S.NextRunAt;
        while (next is { } n && n < oldest && missed < MaxMissedCounted)
        {
            missed++;
            next = ScheduleTimes.Next(definition, n);
        }

        if (next is { } still && still < oldest)
        {
            next = ScheduleTimes.Next(definition, oldest - TimeSpan.FromTicks(1));   // counted up to the cap; the rest jumped
        }

        S.Missed += missed;
        Record(first, "missed", null, missed == 1 ? "older than the catch-up window" : $"{missed} occurrences from {first:u} older than the catch-up window");
        S.NextRunAt = next;
    }

    private async Task<ScheduleFire> EnqueueAsync(ScheduleDefinition definition, DateTimeOffset occurrence, string key, string outcome, string? note)
    {
        var request = new EnqueueRequest
        {
            Payload = definition.Payload,
            Priority = definition.Priority,
            Attempts = definition.Attempts,
            Timeout = definition.Timeout,
            Name = definition.JobName ?? $"schedule:{Id}",
            Delay = ScheduleTimes.JitterOf(definition, occurrence) is { } jitter && jitter > TimeSpan.Zero ? jitter : null,
            IdempotencyKey = key,
            // Long enough that a late second firing of the occurrence (an activation that lost its write) still finds it.
            IdempotencyTtl = TimeSpan.FromDays(7) > definition.CatchupWindow * 2 ? TimeSpan.FromDays(7) : definition.CatchupWindow * 2,
            Headers = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["schedule-id"] = Id,
                ["schedule-occurrence"] = occurrence.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        EnqueueResult result;
        try
        {
            result = await Queues.EnqueueAsync(definition.Queue, request);
        }
        catch (WorkersException ex) when (ex.Code == WorkersErrorCodes.IdempotencyKeyReused)
        {
            // Fired before with another definition (it changed in between): that job is the occurrence's.
            return Record(occurrence, outcome, null, "fired before with an earlier definition");
        }

        if (outcome != "triggered" && outcome != "backfilled")
        {
            S.LastJobId = result.JobId;
        }

        if (result.Created)
        {
            S.Enqueued++;
        }

        return Record(occurrence, outcome, result.JobId, result.Created ? note : "fired before; the same job");
    }

    private async Task<bool> PreviousRunsAsync() => S.LastJobId is { } id && Unfinished(await Queues.ForJob(S.Definition!.Queue, id).GetJob(id));

    /// <summary>Whether the schedule's previous job still counts for the overlap policy: not yet run, or running.</summary>
    private static bool Unfinished(JobRecord? job) => job is { State: JobState.Waiting or JobState.Delayed or JobState.Active };

    private void SetPaused(string? by, string note)
    {
        var now = clock.GetUtcNow();
        S.Paused = true;
        S.PausedBy = by;
        S.PauseNote = note;
        S.PausedAt = now;
        S.NextRunAt = null;
        S.Buffered = null;
        S.UpdatedAt = now;
        LogPaused(logger, Id, note);
    }

    private ScheduleFire Record(DateTimeOffset occurrence, string outcome, string? jobId, string? note)
    {
        var fire = new ScheduleFire { Occurrence = occurrence, At = clock.GetUtcNow(), Outcome = outcome, JobId = jobId, Note = note };
        S.Recent.Add(fire);
        if (S.Recent.Count > MaxRecent)
        {
            S.Recent.RemoveRange(0, S.Recent.Count - MaxRecent);
        }

        return fire;
    }

    private ScheduleDefinition Ensure() =>
        S.Definition ?? throw new WorkersException(WorkersErrorCodes.ScheduleNotFound, $"Schedule '{Id}' was not found.");

    /// <summary>How long until the timer should look again: the next occurrence (at most a minute away, so a changed clock is
    /// noticed), or a second while an occurrence is buffered.</summary>
    private TimeSpan Due()
    {
        if (S.Paused || S.Definition is null)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var wait = S.NextRunAt is { } next ? next - clock.GetUtcNow() : MaxTimerWait;
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxTimerWait ? MaxTimerWait : wait;
        return S.Buffered is not null && wait > BufferPoll ? BufferPoll : wait;
    }

    private void Arm(TimeSpan due)
    {
        if (due == Timeout.InfiniteTimeSpan)
        {
            timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        if (timer is null)
        {
            timer = this.RegisterGrainTimer(static (g, _) => g.FireDue(), this, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private string OccurrenceKey(DateTimeOffset occurrence) => $"schedule:{Id}:{occurrence.ToUnixTimeMilliseconds()}";

    private QueuePartitions Queues => QueuePartitions.Of(GrainFactory);

    private static string Name(JobState state) => state.ToString().ToLowerInvariant();

    private ScheduleInfo Info() => new()
    {
        Definition = S.Definition!,
        NextRunAt = S.NextRunAt,
        Paused = S.Paused,
        PausedBy = S.PausedBy,
        PauseNote = S.PauseNote,
        PausedAt = S.PausedAt,
        LastOccurrence = S.LastOccurrence,
        LastJobId = S.LastJobId,
        Enqueued = S.Enqueued,
        Skipped = S.Skipped,
        Missed = S.Missed,
        Buffered = S.Buffered,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        Recent = [.. S.Recent],
        Silo = silo,
    };

    [LoggerMessage(8000, LogLevel.Information, "Schedule {Id} set on queue {Queue}; next run {Next} (by {By})")]
    private static partial void LogPut(ILogger logger, string id, string queue, DateTimeOffset? next, string? by);

    [LoggerMessage(8001, LogLevel.Information, "Schedule {Id} deleted (by {By})")]
    private static partial void LogDeleted(ILogger logger, string id, string? by);

    [LoggerMessage(8002, LogLevel.Warning, "Schedule {Id} could not fire its occurrence {Occurrence}; it is tried again shortly")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string id, DateTimeOffset? occurrence);

    [LoggerMessage(8003, LogLevel.Information, "Schedule {Id} paused: {Note}")]
    private static partial void LogPaused(ILogger logger, string id, string note);
}

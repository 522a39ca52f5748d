namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A recurring job: when it fires (a cron expression in a time zone, or a fixed interval with an offset), what it enqueues
/// (a payload template and job options on a queue), and its policies: what happens when the previous job still runs at the
/// next occurrence (<see cref="Overlap"/>), which occurrences missed during downtime still run (<see cref="CatchupWindow"/>),
/// pausing when a job is dead-lettered, jitter, and start and end times.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.ScheduleDefinition")]
public sealed record ScheduleDefinition
{
    /// <summary>The schedule's id (its grain key): 3..50 letters, digits, '_' or '-' (as worker and queue names).</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The queue each occurrence enqueues to.</summary>
    [Id(1)] public required string Queue { get; init; }

    /// <summary>A cron expression: five fields (minute precision) or six (with seconds first). Exactly one of Cron and Every.</summary>
    [Id(2)] public string? Cron { get; init; }

    /// <summary>The cron expression's IANA time zone (default UTC); daylight-saving gaps and repeats follow Cronos' rules.</summary>
    [Id(3)] public string? TimeZone { get; init; }

    /// <summary>A fixed interval (1 s .. 366 days), counted from the Unix epoch plus <see cref="Offset"/>.</summary>
    [Id(4)] public TimeSpan? Every { get; init; }

    /// <summary>Shifts an interval's occurrences (0 .. Every): every hour at minute 15 is Every 1 h, Offset 15 min.</summary>
    [Id(5)] public TimeSpan Offset { get; init; }

    /// <summary>The payload of every job, as JSON text.</summary>
    [Id(6)] public string Payload { get; init; } = "null";

    [Id(7)] public string? JobName { get; init; }
    [Id(8)] public int? Priority { get; init; }
    [Id(9)] public int? Attempts { get; init; }
    [Id(10)] public TimeSpan? Timeout { get; init; }

    [Id(11)] public ScheduleOverlap Overlap { get; init; } = ScheduleOverlap.Skip;

    /// <summary>After downtime, occurrences at most this old still run (each under the overlap policy); older ones are
    /// skipped and counted as missed. Default 1 minute; zero runs none of them.</summary>
    [Id(12)] public TimeSpan CatchupWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Pause the schedule when one of its jobs is dead-lettered (default false).</summary>
    [Id(13)] public bool PauseOnFailure { get; init; }

    /// <summary>Each job is delayed by a random share of this (0 .. 1 h; the same occurrence always gets the same delay).</summary>
    [Id(14)] public TimeSpan Jitter { get; init; }

    /// <summary>No occurrence before this time.</summary>
    [Id(15)] public DateTimeOffset? StartAt { get; init; }

    /// <summary>No occurrence after this time.</summary>
    [Id(16)] public DateTimeOffset? EndAt { get; init; }
}

/// <summary>What an occurrence does while the schedule's previous job has not finished.</summary>
[GenerateSerializer]
public enum ScheduleOverlap
{
    /// <summary>The occurrence is skipped (and counted).</summary>
    Skip = 0,

    /// <summary>The occurrence waits until the previous job finishes; at most one waits, later ones are skipped.</summary>
    BufferOne = 1,

    /// <summary>The occurrence runs beside the previous job.</summary>
    AllowAll = 2,

    /// <summary>The previous job is cancelled and the occurrence runs.</summary>
    CancelOther = 3,
}

/// <summary>One occurrence and what became of it.</summary>
[GenerateSerializer, Immutable, Alias("zt.ScheduleFire")]
public sealed record ScheduleFire
{
    /// <summary>The occurrence's scheduled time (for a trigger: when it was asked for).</summary>
    [Id(0)] public required DateTimeOffset Occurrence { get; init; }
    [Id(1)] public required DateTimeOffset At { get; init; }

    /// <summary>enqueued, skipped (overlap), buffered, missed (outside the catch-up window), triggered, backfilled, paused-on-failure.</summary>
    [Id(2)] public required string Outcome { get; init; }
    [Id(3)] public string? JobId { get; init; }
    [Id(4)] public string? Note { get; init; }
}

/// <summary>A schedule with its state: the next run time, pause, counters and its latest occurrences.</summary>
[GenerateSerializer, Immutable, Alias("zt.ScheduleInfo")]
public sealed record ScheduleInfo
{
    [Id(0)] public required ScheduleDefinition Definition { get; init; }

    /// <summary>The next occurrence (null when paused, or past its end).</summary>
    [Id(1)] public DateTimeOffset? NextRunAt { get; init; }
    [Id(2)] public bool Paused { get; init; }
    [Id(3)] public string? PausedBy { get; init; }
    [Id(4)] public string? PauseNote { get; init; }
    [Id(5)] public DateTimeOffset? PausedAt { get; init; }
    [Id(6)] public DateTimeOffset? LastOccurrence { get; init; }
    [Id(7)] public string? LastJobId { get; init; }
    [Id(8)] public long Enqueued { get; init; }
    [Id(9)] public long Skipped { get; init; }
    [Id(10)] public long Missed { get; init; }

    /// <summary>An occurrence waiting for the previous job (overlap BufferOne).</summary>
    [Id(11)] public DateTimeOffset? Buffered { get; init; }
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The latest occurrences, oldest first (at most 50).</summary>
    [Id(14)] public IReadOnlyList<ScheduleFire> Recent { get; init; } = [];

    /// <summary>The silo the schedule runs on now.</summary>
    [Id(15)] public string? Silo { get; init; }
}

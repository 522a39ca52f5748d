using System.Text.Json;

namespace ZinTrust.Workers.Server;

/// <summary>POST /api/schedules and PUT /api/schedules/{id}: times are milliseconds, dates ISO 8601.</summary>
public sealed class ScheduleRequest
{
    public string? Id { get; init; }
    public string? Queue { get; init; }
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public long? EveryMs { get; init; }
    public long? OffsetMs { get; init; }
    public JsonElement? Payload { get; init; }
    public string? JobName { get; init; }
    public JsonElement Priority { get; init; }
    public int? Attempts { get; init; }
    public long? TimeoutMs { get; init; }

    /// <summary>skip (default), bufferOne, allowAll, cancelOther.</summary>
    public string? Overlap { get; init; }
    public long? CatchupWindowMs { get; init; }
    public bool? PauseOnFailure { get; init; }
    public long? JitterMs { get; init; }
    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
}

/// <summary>POST /api/schedules/{id}/pause and /resume.</summary>
public sealed class ScheduleNoteRequest
{
    public string? Note { get; init; }
}

/// <summary>POST /api/schedules/{id}/backfill.</summary>
public sealed class ScheduleBackfillRequest
{
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
}

public sealed record ScheduleFireResponse(DateTimeOffset Occurrence, DateTimeOffset At, string Outcome, string? JobId, string? Note);

public sealed record ScheduleResponse(
    string Id,
    string Queue,
    string? Cron,
    string? TimeZone,
    double? EveryMs,
    double OffsetMs,
    JsonElement? Payload,
    string? JobName,
    int? Priority,
    int? Attempts,
    double? TimeoutMs,
    string Overlap,
    double CatchupWindowMs,
    bool PauseOnFailure,
    double JitterMs,
    DateTimeOffset? StartAt,
    DateTimeOffset? EndAt,
    DateTimeOffset? NextRunAt,
    bool Paused,
    string? PausedBy,
    string? PauseNote,
    DateTimeOffset? PausedAt,
    DateTimeOffset? LastOccurrence,
    string? LastJobId,
    long Enqueued,
    long Skipped,
    long Missed,
    DateTimeOffset? Buffered,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ScheduleFireResponse> Recent,
    string? Silo);

public sealed record ScheduleAnswer(bool Ok, string Message, ScheduleResponse Schedule);

public sealed record ScheduleListResponse(bool Ok, IReadOnlyList<ScheduleResponse> Schedules, int Count);

public sealed record ScheduleFiresResponse(bool Ok, string Message, IReadOnlyList<ScheduleFireResponse> Fires);

public sealed record ScheduleDetailAnswer(bool Ok, ScheduleResponse Schedule);

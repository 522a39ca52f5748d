using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The persisted part of a schedule: its definition, where it stands, and its counters.</summary>
[GenerateSerializer, Alias("zt.ScheduleGrainState")]
public sealed class ScheduleGrainState
{
    [Id(0)] public ScheduleDefinition? Definition { get; set; }

    /// <summary>The next occurrence not yet handled (fired, skipped or missed).</summary>
    [Id(1)] public DateTimeOffset? NextRunAt { get; set; }
    [Id(2)] public bool Paused { get; set; }
    [Id(3)] public string? PausedBy { get; set; }
    [Id(4)] public string? PauseNote { get; set; }
    [Id(5)] public DateTimeOffset? PausedAt { get; set; }
    [Id(6)] public DateTimeOffset? LastOccurrence { get; set; }
    [Id(7)] public string? LastJobId { get; set; }
    [Id(8)] public long Enqueued { get; set; }
    [Id(9)] public long Skipped { get; set; }
    [Id(10)] public long Missed { get; set; }
    [Id(11)] public DateTimeOffset? Buffered { get; set; }
    [Id(12)] public DateTimeOffset CreatedAt { get; set; }
    [Id(13)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(14)] public List<ScheduleFire> Recent { get; set; } = [];

    /// <summary>A dead-lettered job an operator resumed the schedule past: it does not pause it again.</summary>
    [Id(15)] public string? AcknowledgedFailure { get; set; }
}

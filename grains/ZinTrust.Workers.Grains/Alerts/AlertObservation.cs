using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>One value of one subject under one rule, as an evaluation read it.</summary>
/// <param name="Rule">The rule the value is for.</param>
/// <param name="Subject">The worker's or queue's name, the silo's address, or <c>cluster</c>.</param>
/// <param name="Value">The value, in the rule's unit.</param>
/// <param name="SampleAt">When the value was sampled, for values that come from periodic samples (resource snapshots, worker
/// monitoring): a sample already evaluated is not counted again. Null for values read live (queue stats).</param>
/// <param name="Detail">What else explains the value (for example the attempts behind a failure rate), for the message.</param>
/// <param name="CanBreach">False when the value is not evidence enough to alert on (too few attempts for a failure rate): it
/// counts as clear.</param>
internal sealed record AlertReading(AlertRule Rule, string Subject, double Value, DateTimeOffset? SampleAt = null, string? Detail = null, bool CanBreach = true);

/// <summary>What one evaluation read: the readings, and what it could not read or must not evaluate.</summary>
internal sealed class AlertObservation
{
    public List<AlertReading> Readings { get; } = [];

    /// <summary>Rules that are off for now, and why (the resource monitor stopped, no unit prices): their alerts resolve.</summary>
    public Dictionary<AlertRule, string> Suspended { get; } = [];

    /// <summary>Rules whose source could not be read at all this time: their alerts and holds are left as they were.</summary>
    public HashSet<AlertRule> Unavailable { get; } = [];

    /// <summary>Subjects whose reading failed this time: their alerts and holds are left as they were.</summary>
    public HashSet<(AlertRule Rule, string Subject)> Unknown { get; } = [];

    /// <summary>What could not be read, for people (the status shows the last evaluation's).</summary>
    public List<string> Problems { get; } = [];
}

/// <summary>A change of one alert in one evaluation (the alert as it is after the change).</summary>
internal sealed record AlertTransition(Alert Alert, AlertChange Change, AlertSeverity? PreviousSeverity);

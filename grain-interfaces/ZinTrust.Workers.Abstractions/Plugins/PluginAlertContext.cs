namespace ZinTrust.Workers.Abstractions;

/// <summary>An alert was raised, changed severity or was resolved.</summary>
public sealed record PluginAlertContext
{
    /// <summary>The alert after the change (a resolved one has <see cref="Alert.ResolvedAt"/> and <see cref="Alert.Resolution"/>).</summary>
    public required Alert Alert { get; init; }

    public AlertChange Change { get; init; }

    /// <summary>The severity before the change (for an escalation or de-escalation); null for a raise.</summary>
    public AlertSeverity? PreviousSeverity { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>The silo that evaluated it (where the hook runs).</summary>
    public string? Silo { get; init; }
}

namespace ZinTrust.Workers.Server;

/// <summary>GET /api/resources/alerts: how the evaluator runs, the rules, and the alerts asked for (active first).</summary>
public sealed record AlertsResponse(
    bool Ok,
    bool Enabled,
    ResourceAlertsResponse ResourceAlerts,
    double IntervalSeconds,
    DateTimeOffset? LastEvaluatedAt,
    int RaiseAfter,
    int ResolveAfter,
    double HysteresisPercent,
    bool Webhook,
    string? Host,
    IReadOnlyList<string> Problems,
    IReadOnlyList<AlertRuleResponse> Rules,
    int Active,
    int Resolved,
    int Count,
    IReadOnlyList<AlertResponse> Alerts);

/// <summary>Whether CPU, memory and cost alerts are evaluated (only while the resource monitor runs), and why not.</summary>
public sealed record ResourceAlertsResponse(bool Enabled, string Reason, string Detail);

/// <summary>One rule's default thresholds (null: that severity is off); <c>breach</c> is <c>above</c> or <c>below</c>.</summary>
public sealed record AlertRuleResponse(string Rule, string Subject, string Unit, string Breach, double? Warning, double? Critical, bool Enabled);

/// <summary>One alert. <c>since</c> is the first breach; <c>message</c> says why it was raised, <c>resolution</c> why it ended.</summary>
public sealed record AlertResponse(
    string Id,
    string Rule,
    string SubjectKind,
    string Subject,
    string Severity,
    string State,
    double Value,
    double Peak,
    double Threshold,
    double ClearThreshold,
    string Unit,
    DateTimeOffset Since,
    DateTimeOffset RaisedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? ResolvedAt,
    string Message,
    string? Resolution);

/// <summary>GET /api/resources/trends: per metric and subject, a least-squares line over the window (<c>method</c>).</summary>
public sealed record TrendsResponse(
    bool Ok,
    double Hours,
    DateTimeOffset From,
    DateTimeOffset To,
    string Method,
    TrendMonitorResponse ResourceMonitoring,
    IReadOnlyList<string> Problems,
    int Count,
    IReadOnlyList<TrendResponse> Trends);

public sealed record TrendMonitorResponse(bool Running, string Reason);

/// <summary>One metric of one subject: its points in the window and the fitted line's rate per hour and direction
/// (<c>rising</c>, <c>falling</c>, <c>steady</c>, or <c>unknown</c> with fewer than three points).</summary>
public sealed record TrendResponse(
    string Metric,
    string SubjectKind,
    string Subject,
    string Unit,
    string Source,
    int Points,
    DateTimeOffset? FirstAt,
    DateTimeOffset? LastAt,
    double? First,
    double? Last,
    double? Mean,
    double? Min,
    double? Max,
    double? RatePerHour,
    string Direction);

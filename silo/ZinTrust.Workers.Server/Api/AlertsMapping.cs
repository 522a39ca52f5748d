using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>Explicit mapping of the alert evaluator's contracts to HTTP responses.</summary>
public static class AlertsMapping
{
    public const string Method = "least-squares";

    public static AlertsResponse ToResponse(AlertReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Status;
        return new(
            Ok: true,
            Enabled: s.Enabled,
            ResourceAlerts: ResourceAlerts(s),
            IntervalSeconds: s.Interval.TotalSeconds,
            LastEvaluatedAt: s.LastEvaluatedAt,
            RaiseAfter: s.RaiseAfter,
            ResolveAfter: s.ResolveAfter,
            HysteresisPercent: s.HysteresisPercent,
            Webhook: s.WebhookConfigured,
            Host: s.Host,
            Problems: s.Problems,
            Rules: [.. s.Rules.Select(r => new AlertRuleResponse(
                AlertRules.Name(r.Rule),
                AlertRules.Name(AlertRules.SubjectOf(r.Rule)),
                r.Unit,
                r.HigherIsWorse ? "above" : "below",
                r.Warning,
                r.Critical,
                r.Enabled))],
            Active: report.ActiveCount,
            Resolved: report.ResolvedCount,
            Count: report.Alerts.Count,
            Alerts: [.. report.Alerts.Select(ToResponse)]);
    }

    public static AlertResponse ToResponse(Alert a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(
            a.Id,
            AlertRules.Name(a.Rule),
            AlertRules.Name(a.SubjectKind),
            a.Subject,
            AlertRules.Name(a.Severity),
            a.IsActive ? "active" : "resolved",
            a.Value,
            a.Peak,
            a.Threshold,
            a.ClearThreshold,
            a.Unit,
            a.Since,
            a.RaisedAt,
            a.LastSeenAt,
            a.ResolvedAt,
            a.Message,
            a.Resolution);
    }

    public static TrendsResponse ToResponse(TrendReport report, int hours)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(
            Ok: true,
            Hours: hours,
            From: report.From,
            To: report.To,
            Method: Method,
            ResourceMonitoring: new TrendMonitorResponse(report.ResourceMonitor == ResourceMonitorGate.Running, ResourcesMapping.Reason(report.ResourceMonitor)),
            Problems: report.Problems,
            Count: report.Trends.Count,
            Trends: [.. report.Trends.Select(t => new TrendResponse(
                t.Metric,
                AlertRules.Name(t.SubjectKind),
                t.Subject,
                t.Unit,
                t.Source,
                t.Points,
                t.FirstAt,
                t.LastAt,
                t.First,
                t.Last,
                t.Mean,
                t.Min,
                t.Max,
                t.RatePerHour,
                Direction(t.Direction)))]);
    }

    public static string Direction(TrendDirection direction) => direction switch
    {
        TrendDirection.Rising => "rising",
        TrendDirection.Falling => "falling",
        TrendDirection.Steady => "steady",
        _ => "unknown",
    };

    private static ResourceAlertsResponse ResourceAlerts(AlertStatus s)
    {
        var reason = ResourcesMapping.Reason(s.ResourceMonitor);
        if (!s.Enabled)
        {
            return new(false, "alerts-disabled", "Every alert is off (WORKER_ALERTS=false).");
        }

        if (!s.Rules.Any(r => AlertRules.IsResource(r.Rule) && r.Enabled))
        {
            return new(false, "no-thresholds", "No CPU, memory or cost threshold is set.");
        }

        return s.ResourceAlertsEnabled
            ? new(true, reason, "CPU, memory and cost alerts are evaluated from the resource monitor's snapshots.")
            : new(false, reason, s.ResourceMonitor switch
            {
                ResourceMonitorGate.StoppedByOperator => "Resource alerts disabled: resource monitoring was stopped by an operator (POST /api/resources/start to resume). Worker and queue alerts go on.",
                ResourceMonitorGate.DisabledByEnvironment => "Resource alerts disabled: WORKER_RESOURCE_MONITORING=false. Worker and queue alerts go on.",
                _ => "Resource alerts disabled: resource monitoring is not running (no active worker has features.resourceMonitoring: true). Worker and queue alerts go on.",
            });
    }
}

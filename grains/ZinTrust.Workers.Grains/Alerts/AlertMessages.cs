using System.Globalization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The human side of alerts: why one was raised or resolved, in words (invariant culture).</summary>
internal static class AlertMessages
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"Queue 'emails': 1,520 waiting jobs, above the warning threshold of 1,000."</summary>
    public static string Breach(AlertReading reading, AlertSeverity severity, double threshold, bool higherIsWorse, string currency)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var detail = reading.Detail is { Length: > 0 } d ? $" ({d})" : "";
        return $"{Subject(AlertRules.SubjectOf(reading.Rule), reading.Subject)}: {Measure(reading.Rule, reading.Value, currency)}{detail}, "
            + $"{(higherIsWorse ? "above" : "below")} the {AlertRules.Name(severity)} threshold of {Value(reading.Rule, threshold, currency)}.";
    }

    /// <summary>"Back to 850 waiting jobs, at or below 900 (the clear threshold) in 2 evaluations in a row."</summary>
    public static string Cleared(AlertReading reading, double clear, int evaluations, bool higherIsWorse, string currency)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var why = reading.CanBreach
            ? $"{(higherIsWorse ? "at or below" : "at or above")} {Value(reading.Rule, clear, currency)} (the clear threshold)"
            : $"too little to judge{(reading.Detail is { Length: > 0 } d ? $": {d}" : "")}";
        return $"Back to {Measure(reading.Rule, reading.Value, currency)}, {why} in {evaluations} evaluation{(evaluations == 1 ? "" : "s")} in a row.";
    }

    /// <summary>Why an alert whose subject is no longer measured is resolved.</summary>
    public static string Gone(AlertSubjectKind kind, string subject) => kind switch
    {
        AlertSubjectKind.Worker => $"Worker '{subject}' is no longer measured: it is not running, was deleted, or its health monitoring is stopped.",
        AlertSubjectKind.Queue => $"Queue '{subject}' is no longer watched: no active worker uses it.",
        AlertSubjectKind.Silo => $"Silo {subject} no longer reports resource snapshots: it left the cluster.",
        _ => "The cluster's cost is no longer estimated.",
    };

    /// <summary>"1,520 waiting jobs", "CPU 97.0%", "health score 42", "oldest waiting job waited 6m 40s", "estimated cost over 24 h 130.00 USD".</summary>
    public static string Measure(AlertRule rule, double value, string currency) => rule switch
    {
        AlertRule.WorkerHealth => $"health score {Value(rule, value, currency)}",
        AlertRule.WorkerFailureRate => $"failure rate {Value(rule, value, currency)}",
        AlertRule.QueueDepth => $"{Value(rule, value, currency)} waiting jobs",
        AlertRule.QueueOldestWait => $"oldest waiting job waited {Value(rule, value, currency)}",
        AlertRule.SiloCpu => $"CPU {Value(rule, value, currency)}",
        AlertRule.SiloMemory => $"memory in use {Value(rule, value, currency)}",
        _ => $"estimated cost over 24 h {Value(rule, value, currency)}",
    };

    /// <summary>A value in its rule's unit: "97.0%", "42", "1,520", "6m 40s", "130.00 USD".</summary>
    public static string Value(AlertRule rule, double value, string currency) => AlertRules.Unit(rule) switch
    {
        "percent" => value.ToString("0.0", Invariant) + "%",
        "score" => value.ToString("0", Invariant),
        "jobs" => value.ToString("N0", Invariant),
        "seconds" => Duration(value),
        _ => $"{value.ToString("0.00", Invariant)} {currency}",
    };

    /// <summary>"45s", "6m 40s", "2h 05m".</summary>
    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes:00}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds:00}s"
            : $"{span.Seconds}s";
    }

    private static string Subject(AlertSubjectKind kind, string subject) => kind switch
    {
        AlertSubjectKind.Worker => $"Worker '{subject}'",
        AlertSubjectKind.Queue => $"Queue '{subject}'",
        AlertSubjectKind.Silo => $"Silo {subject}",
        _ => "Cluster",
    };
}

using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>The WORKER_ALERT* variables (the validator checks ranges and the webhook's allow-list).</summary>
public static partial class HostSettingsLoader
{
    private static void ReadAlerts(Reader env, AlertOptions alerts)
    {
        env.Bool("WORKER_ALERTS", v => alerts.Enabled = v);
        env.Int("WORKER_ALERT_INTERVAL", v => alerts.Interval = TimeSpan.FromSeconds(v), "seconds");
        env.Int("WORKER_ALERT_RAISE_AFTER", v => alerts.RaiseAfter = v, "evaluations");
        env.Int("WORKER_ALERT_RESOLVE_AFTER", v => alerts.ResolveAfter = v, "evaluations");
        env.Number("WORKER_ALERT_HYSTERESIS_PERCENT", v => alerts.HysteresisPercent = v);
        env.Int("WORKER_ALERT_HISTORY_LIMIT", v => alerts.HistoryLimit = v, "alerts");
        env.Int("WORKER_ALERT_FAILURE_RATE_WINDOW", v => alerts.FailureRateWindow = TimeSpan.FromSeconds(v), "seconds");
        env.Int("WORKER_ALERT_FAILURE_RATE_MIN_RUNS", v => alerts.FailureRateMinRuns = v, "attempts");
        foreach (var rule in AlertRules.Values)
        {
            var threshold = alerts.Thresholds(rule);
            var (warning, critical) = AlertOptionsValidator.VariablesOf(rule);
            env.Number(warning, v => threshold.Warning = v);
            env.Number(critical, v => threshold.Critical = v);
        }

        env.String("WORKER_ALERT_WEBHOOK_URL", v => alerts.WebhookUrl = v.Trim());
        env.String("WORKER_ALERT_WEBHOOK_ALLOWLIST", v => alerts.WebhookAllowList = [.. v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]);
        env.String("WORKER_ALERT_WEBHOOK_SECRET", v => alerts.WebhookSecret = v);
        env.Int("WORKER_ALERT_WEBHOOK_TIMEOUT", v => alerts.WebhookTimeout = TimeSpan.FromMilliseconds(v), "milliseconds");
        env.Int("WORKER_ALERT_WEBHOOK_RETRY_ATTEMPTS", v => alerts.WebhookRetryAttempts = v);
        env.Int("WORKER_ALERT_WEBHOOK_RETRY_BACKOFF_MS", v => alerts.WebhookRetryBackoff = TimeSpan.FromMilliseconds(v), "milliseconds");
    }
}

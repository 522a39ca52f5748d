using System.Globalization;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid alert setting, naming the environment variable (or appsettings key) that sets it.</summary>
public sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public const int MaxHistoryLimit = 10_000;
    public const int MaxHold = 100;

    private static readonly Dictionary<AlertRule, (string Warning, string Critical)> Variables = new()
    {
        [AlertRule.SiloCpu] = ("WORKER_ALERT_CPU_PERCENT", "WORKER_ALERT_CPU_CRITICAL_PERCENT"),
        [AlertRule.SiloMemory] = ("WORKER_ALERT_MEMORY_PERCENT", "WORKER_ALERT_MEMORY_CRITICAL_PERCENT"),
        [AlertRule.WorkerHealth] = ("WORKER_ALERT_HEALTH_SCORE", "WORKER_ALERT_HEALTH_CRITICAL_SCORE"),
        [AlertRule.WorkerFailureRate] = ("WORKER_ALERT_FAILURE_RATE_PERCENT", "WORKER_ALERT_FAILURE_RATE_CRITICAL_PERCENT"),
        [AlertRule.QueueDepth] = ("WORKER_ALERT_QUEUE_DEPTH", "WORKER_ALERT_QUEUE_DEPTH_CRITICAL"),
        [AlertRule.QueueOldestWait] = ("WORKER_ALERT_QUEUE_WAIT_SECONDS", "WORKER_ALERT_QUEUE_WAIT_CRITICAL_SECONDS"),
        [AlertRule.ClusterCost] = ("WORKER_ALERT_COST_24H", "WORKER_ALERT_COST_24H_CRITICAL"),
    };

    /// <summary>The environment variables of a rule's warning and critical thresholds.</summary>
    public static (string Warning, string Critical) VariablesOf(AlertRule rule) => Variables[rule];

    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromHours(1))
        {
            failures.Add("WORKER_ALERT_INTERVAL must be between 1 and 3600 seconds.");
        }

        if (options.ReminderPeriod <= TimeSpan.Zero)
        {
            failures.Add("Workers:Alerts:ReminderPeriod must be positive.");
        }

        if (options.RaiseAfter is < 1 or > MaxHold)
        {
            failures.Add($"WORKER_ALERT_RAISE_AFTER must be between 1 and {MaxHold} evaluations (was {options.RaiseAfter}).");
        }

        if (options.ResolveAfter is < 1 or > MaxHold)
        {
            failures.Add($"WORKER_ALERT_RESOLVE_AFTER must be between 1 and {MaxHold} evaluations (was {options.ResolveAfter}).");
        }

        if (!(options.HysteresisPercent >= 0 && options.HysteresisPercent <= 50))
        {
            failures.Add($"WORKER_ALERT_HYSTERESIS_PERCENT must be from 0 to 50 (was {Text(options.HysteresisPercent)}).");
        }

        if (options.HistoryLimit is < 1 or > MaxHistoryLimit)
        {
            failures.Add($"WORKER_ALERT_HISTORY_LIMIT must be between 1 and {MaxHistoryLimit} (was {options.HistoryLimit}).");
        }

        if (options.FailureRateWindow < TimeSpan.FromSeconds(10) || options.FailureRateWindow > TimeSpan.FromHours(24))
        {
            failures.Add("WORKER_ALERT_FAILURE_RATE_WINDOW must be between 10 and 86400 seconds.");
        }

        if (options.FailureRateMinRuns is < 1 or > 1_000_000)
        {
            failures.Add($"WORKER_ALERT_FAILURE_RATE_MIN_RUNS must be between 1 and 1000000 (was {options.FailureRateMinRuns}).");
        }

        foreach (var rule in AlertRules.Values)
        {
            var (warning, critical) = Variables[rule];
            Threshold(failures, rule, options.Thresholds(rule), warning, critical);
        }

        Overrides(failures, options.Workers, "Workers", [AlertRule.WorkerHealth, AlertRule.WorkerFailureRate]);
        Overrides(failures, options.Queues, "Queues", [AlertRule.QueueDepth, AlertRule.QueueOldestWait]);
        Webhook(failures, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>A webhook host as compared with the allow-list: lower case, no trailing dot, an IP literal in its canonical form.</summary>
    public static string NormalizeHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.Trim().Trim('[', ']').TrimEnd('.');
        return System.Net.IPAddress.TryParse(bare, out var address) ? address.ToString() : bare.ToLowerInvariant();
    }

    private static void Threshold(List<string> failures, AlertRule rule, AlertThreshold? threshold, string warningName, string criticalName)
    {
        if (threshold is null)
        {
            return;
        }

        double max = AlertRules.Unit(rule) is "percent" or "score" ? 100 : 1e12;
        foreach (var (value, variable) in new[] { (threshold.Warning, warningName), (threshold.Critical, criticalName) })
        {
            if (value is { } v && !(v >= 0 && v <= max))
            {
                failures.Add($"{variable} must be a number from 0 (off) to {Text(max)} (was {Text(v)}).");
            }
        }

        if (threshold.Warning is > 0 and var w && threshold.Critical is > 0 and var c)
        {
            if (AlertRules.HigherIsWorse(rule) && c < w)
            {
                failures.Add($"{criticalName} ({Text(c)}) must not be below {warningName} ({Text(w)}).");
            }
            else if (!AlertRules.HigherIsWorse(rule) && c > w)
            {
                failures.Add($"{criticalName} ({Text(c)}) must not be above {warningName} ({Text(w)}): a lower score is worse.");
            }
        }
    }

    private static void Overrides(List<string> failures, Dictionary<string, AlertOverride>? overrides, string section, AlertRule[] allowed)
    {
        foreach (var (subject, entry) in overrides ?? [])
        {
            var key = $"Workers:Alerts:{section}:{subject}";
            if (!WorkerValidation.IsValidName(subject))
            {
                failures.Add($"{key}: '{Shorten(subject)}' is not a worker or queue name.");
            }

            foreach (var rule in AlertRules.Values)
            {
                var threshold = Of(entry, rule);
                if (threshold is null)
                {
                    continue;
                }

                var setting = $"{key}:{Property(rule)}";
                if (!allowed.Contains(rule))
                {
                    failures.Add($"{setting}: only {string.Join(" and ", allowed.Select(Property))} can be set per {section.TrimEnd('s').ToLowerInvariant()}.");
                    continue;
                }

                Threshold(failures, rule, threshold, setting + ":Warning", setting + ":Critical");
            }
        }
    }

    private static void Webhook(List<string> failures, AlertOptions options)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var host in options.WebhookAllowList ?? [])
        {
            if (string.IsNullOrWhiteSpace(host) || host.Contains('/', StringComparison.Ordinal) || host.Contains('*', StringComparison.Ordinal))
            {
                failures.Add($"WORKER_ALERT_WEBHOOK_ALLOWLIST: '{Shorten(host ?? "")}' is not a host name (no scheme, path or wildcard).");
            }
            else
            {
                hosts.Add(NormalizeHost(host));
            }
        }

        if (options.WebhookUrl is { } raw)
        {
            if (!Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add("WORKER_ALERT_WEBHOOK_URL must be an absolute https address.");
            }
            else if (!string.IsNullOrEmpty(url.UserInfo))
            {
                failures.Add("WORKER_ALERT_WEBHOOK_URL must not carry credentials in the address; use WORKER_ALERT_WEBHOOK_SECRET.");
            }
            else if (!hosts.Contains(NormalizeHost(url.IdnHost)))
            {
                failures.Add(hosts.Count == 0
                    ? "WORKER_ALERT_WEBHOOK_URL is set but WORKER_ALERT_WEBHOOK_ALLOWLIST is empty: list the webhook's host."
                    : $"WORKER_ALERT_WEBHOOK_URL: host '{Shorten(url.IdnHost)}' is not on WORKER_ALERT_WEBHOOK_ALLOWLIST.");
            }
        }

        if (options.WebhookSecret is { Length: 0 })
        {
            failures.Add("WORKER_ALERT_WEBHOOK_SECRET must not be empty when set.");
        }

        if (options.WebhookTimeout < TimeSpan.FromMilliseconds(100) || options.WebhookTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("WORKER_ALERT_WEBHOOK_TIMEOUT must be between 100 and 60000 milliseconds.");
        }

        if (options.WebhookRetryAttempts is < 0 or > 10)
        {
            failures.Add($"WORKER_ALERT_WEBHOOK_RETRY_ATTEMPTS must be between 0 and 10 (was {options.WebhookRetryAttempts}).");
        }

        if (options.WebhookRetryBackoff < TimeSpan.Zero || options.WebhookRetryBackoff > TimeSpan.FromMinutes(1))
        {
            failures.Add("WORKER_ALERT_WEBHOOK_RETRY_BACKOFF_MS must be between 0 and 60000 milliseconds.");
        }

        if (options.WebhookQueueLimit is < 1 or > 100_000)
        {
            failures.Add($"Workers:Alerts:WebhookQueueLimit must be between 1 and 100000 (was {options.WebhookQueueLimit}).");
        }
    }

    internal static AlertThreshold? Of(AlertOverride entry, AlertRule rule) => rule switch
    {
        AlertRule.WorkerHealth => entry.HealthScore,
        AlertRule.WorkerFailureRate => entry.FailureRate,
        AlertRule.QueueDepth => entry.QueueDepth,
        AlertRule.QueueOldestWait => entry.QueueOldestWait,
        _ => null,
    };

    private static string Property(AlertRule rule) => rule switch
    {
        AlertRule.WorkerHealth => nameof(AlertOverride.HealthScore),
        AlertRule.WorkerFailureRate => nameof(AlertOverride.FailureRate),
        AlertRule.QueueDepth => nameof(AlertOverride.QueueDepth),
        _ => nameof(AlertOverride.QueueOldestWait),
    };

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

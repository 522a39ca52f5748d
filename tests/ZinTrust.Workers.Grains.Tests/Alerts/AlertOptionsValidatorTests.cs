namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Every invalid alert setting is reported, naming the variable or key that sets it.</summary>
public sealed class AlertOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(new AlertOptionsValidator().Validate(null, new AlertOptions()).Succeeded);
    }

    [Fact]
    public void EveryProblem_IsReported_WithTheVariableThatSetsIt()
    {
        var options = new AlertOptions
        {
            Interval = TimeSpan.Zero,
            RaiseAfter = 0,
            ResolveAfter = 101,
            HysteresisPercent = 60,
            HistoryLimit = 0,
            FailureRateWindow = TimeSpan.FromSeconds(1),
            FailureRateMinRuns = 0,
            Cpu = new AlertThreshold { Warning = 90, Critical = 80 },
            Memory = new AlertThreshold { Warning = 120 },
            HealthScore = new AlertThreshold { Warning = 50, Critical = 80 },
            QueueDepth = new AlertThreshold { Warning = -1 },
            WebhookUrl = "http://hooks.example.com/alerts",
            WebhookTimeout = TimeSpan.FromMinutes(5),
            WebhookRetryAttempts = 11,
            WebhookRetryBackoff = TimeSpan.FromMinutes(2),
            Workers = { ["mailer"] = new AlertOverride { QueueDepth = new AlertThreshold { Warning = 5 } } },
            Queues = { ["bad name!"] = new AlertOverride() },
        };

        var failures = new AlertOptionsValidator().Validate(null, options).Failures!.ToArray();

        foreach (var expected in new[]
        {
            "WORKER_ALERT_INTERVAL", "WORKER_ALERT_RAISE_AFTER", "WORKER_ALERT_RESOLVE_AFTER", "WORKER_ALERT_HYSTERESIS_PERCENT",
            "WORKER_ALERT_HISTORY_LIMIT", "WORKER_ALERT_FAILURE_RATE_WINDOW", "WORKER_ALERT_FAILURE_RATE_MIN_RUNS",
            "WORKER_ALERT_CPU_CRITICAL_PERCENT (80) must not be below WORKER_ALERT_CPU_PERCENT (90)",
            "WORKER_ALERT_MEMORY_PERCENT must be a number from 0 (off) to 100",
            "WORKER_ALERT_HEALTH_CRITICAL_SCORE (80) must not be above WORKER_ALERT_HEALTH_SCORE (50)",
            "WORKER_ALERT_QUEUE_DEPTH must be a number",
            "WORKER_ALERT_WEBHOOK_URL must be an absolute https address", "WORKER_ALERT_WEBHOOK_TIMEOUT",
            "WORKER_ALERT_WEBHOOK_RETRY_ATTEMPTS", "WORKER_ALERT_WEBHOOK_RETRY_BACKOFF_MS",
            "Workers:Alerts:Workers:mailer:QueueDepth: only HealthScore and FailureRate can be set per worker",
            "Workers:Alerts:Queues:bad name!",
        })
        {
            Assert.Contains(failures, f => f.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("https://hooks.example.com/alerts", new string[0], "WORKER_ALERT_WEBHOOK_ALLOWLIST is empty")]
    [InlineData("https://hooks.example.com/alerts", new[] { "other.example.com" }, "not on WORKER_ALERT_WEBHOOK_ALLOWLIST")]
    [InlineData("https://user:pass@hooks.example.com/alerts", new[] { "hooks.example.com" }, "must not carry credentials")]
    [InlineData("https://hooks.example.com/alerts", new[] { "https://hooks.example.com" }, "is not a host name")]
    public void Webhook_MustNameAnAllowListedHttpsHost(string url, string[] allowList, string problem)
    {
        var options = new AlertOptions { WebhookUrl = url, WebhookAllowList = [.. allowList] };

        var result = new AlertOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Webhook_OnTheAllowList_CaseAndTrailingDotAside_IsValid()
    {
        var options = new AlertOptions { WebhookUrl = "https://Hooks.Example.com./alerts?token=x", WebhookAllowList = ["hooks.example.com"] };

        Assert.True(new AlertOptionsValidator().Validate(null, options).Succeeded);
    }
}

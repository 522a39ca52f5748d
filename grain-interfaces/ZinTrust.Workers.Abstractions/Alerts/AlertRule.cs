namespace ZinTrust.Workers.Abstractions;

/// <summary>What an alert watches. Each rule has one kind of subject (<see cref="AlertRules.SubjectOf"/>) and a wire name
/// (<see cref="AlertRules.Name(AlertRule)"/>) used by the REST API, the webhook, plugins and the log.</summary>
[GenerateSerializer, Alias("zt.AlertRule")]
public enum AlertRule
{
    /// <summary><c>worker.health</c>: a running worker's health score (0–100) is below the threshold.</summary>
    WorkerHealth = 0,

    /// <summary><c>worker.failure-rate</c>: the share of a running worker's attempts that failed over the window is above the threshold.</summary>
    WorkerFailureRate = 1,

    /// <summary><c>queue.depth</c>: an active worker's queue has more waiting jobs than the threshold.</summary>
    QueueDepth = 2,

    /// <summary><c>queue.oldest-wait</c>: the job that has waited longest in an active worker's queue has waited longer than the threshold (seconds).</summary>
    QueueOldestWait = 3,

    /// <summary><c>silo.cpu</c>: a silo's machine CPU (resource snapshots) is above the threshold.</summary>
    SiloCpu = 4,

    /// <summary><c>silo.memory</c>: a silo's machine memory in use (resource snapshots) is above the threshold.</summary>
    SiloMemory = 5,

    /// <summary><c>cluster.cost</c>: the estimated cost over the last 24 hours is above the threshold.</summary>
    ClusterCost = 6,
}

/// <summary>The kind of thing an alert is about.</summary>
[GenerateSerializer, Alias("zt.AlertSubjectKind")]
public enum AlertSubjectKind
{
    Worker = 0,
    Queue = 1,
    Silo = 2,
    Cluster = 3,
}

[GenerateSerializer, Alias("zt.AlertSeverity")]
public enum AlertSeverity
{
    Warning = 0,
    Critical = 1,
}

/// <summary>What happened to an alert, as told to the log, the webhook and plugins.</summary>
[GenerateSerializer, Alias("zt.AlertChange")]
public enum AlertChange
{
    /// <summary>A breach held long enough: the alert is active.</summary>
    Raised = 0,

    /// <summary>An active warning became critical (the critical threshold's breach held long enough).</summary>
    Escalated = 1,

    /// <summary>An active critical alert went back to a warning (clear of the critical threshold long enough, not of the warning one).</summary>
    Deescalated = 2,

    /// <summary>The value stayed clear long enough, or the subject is no longer measured: the alert is over.</summary>
    Resolved = 3,
}

/// <summary>Which alerts a query returns.</summary>
[GenerateSerializer, Alias("zt.AlertStateFilter")]
public enum AlertStateFilter
{
    All = 0,
    Active = 1,
    Resolved = 2,
}

/// <summary>Wire names and facts of <see cref="AlertRule"/>.</summary>
public static class AlertRules
{
    private static readonly AlertRule[] All = Enum.GetValues<AlertRule>();

    /// <summary>Every rule, in declaration order.</summary>
    public static IReadOnlyList<AlertRule> Values => All;

    /// <summary>The rule's stable wire name, for example <c>queue.depth</c>.</summary>
    public static string Name(AlertRule rule) => rule switch
    {
        AlertRule.WorkerHealth => "worker.health",
        AlertRule.WorkerFailureRate => "worker.failure-rate",
        AlertRule.QueueDepth => "queue.depth",
        AlertRule.QueueOldestWait => "queue.oldest-wait",
        AlertRule.SiloCpu => "silo.cpu",
        AlertRule.SiloMemory => "silo.memory",
        AlertRule.ClusterCost => "cluster.cost",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    public static AlertSubjectKind SubjectOf(AlertRule rule) => rule switch
    {
        AlertRule.WorkerHealth or AlertRule.WorkerFailureRate => AlertSubjectKind.Worker,
        AlertRule.QueueDepth or AlertRule.QueueOldestWait => AlertSubjectKind.Queue,
        AlertRule.SiloCpu or AlertRule.SiloMemory => AlertSubjectKind.Silo,
        _ => AlertSubjectKind.Cluster,
    };

    /// <summary>Rules fed by the resource monitor's snapshots: they are off while it does not run.</summary>
    public static bool IsResource(AlertRule rule) => rule is AlertRule.SiloCpu or AlertRule.SiloMemory or AlertRule.ClusterCost;

    /// <summary>Whether a higher value is worse (all but the health score, where a lower one is).</summary>
    public static bool HigherIsWorse(AlertRule rule) => rule != AlertRule.WorkerHealth;

    /// <summary>The unit of the rule's values: <c>score</c>, <c>percent</c>, <c>jobs</c>, <c>seconds</c> or <c>currency</c>.</summary>
    public static string Unit(AlertRule rule) => rule switch
    {
        AlertRule.WorkerHealth => "score",
        AlertRule.QueueDepth => "jobs",
        AlertRule.QueueOldestWait => "seconds",
        AlertRule.ClusterCost => "currency",
        _ => "percent",
    };

    /// <summary>Wire name of a subject kind: worker, queue, silo, cluster.</summary>
    public static string Name(AlertSubjectKind kind) => kind switch
    {
        AlertSubjectKind.Worker => "worker",
        AlertSubjectKind.Queue => "queue",
        AlertSubjectKind.Silo => "silo",
        _ => "cluster",
    };

    /// <summary>Wire name of a severity: warning, critical.</summary>
    public static string Name(AlertSeverity severity) => severity == AlertSeverity.Critical ? "critical" : "warning";

    /// <summary>Wire name of a change: raised, escalated, deescalated, resolved.</summary>
    public static string Name(AlertChange change) => change switch
    {
        AlertChange.Raised => "raised",
        AlertChange.Escalated => "escalated",
        AlertChange.Deescalated => "deescalated",
        _ => "resolved",
    };
}

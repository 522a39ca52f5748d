using System.Diagnostics.Metrics;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The one <see cref="Meter"/> of the worker system ("ZinTrust.Workers"). Job counters are recorded by the
/// queue grain after the change is durable, once per transition, so they are real counters: identical
/// events are never collapsed and a failed write is never counted. Plugin counters are recorded by the plugin host
/// of the silo where the hook ran.
/// </summary>
public static class WorkersInstruments
{
    public const string MeterName = "ZinTrust.Workers";
    public const string QueueTag = "zintrust.queue";
    public const string WorkerTag = "zintrust.worker";
    public const string OutcomeTag = "zintrust.outcome";
    public const string PluginTag = "zintrust.plugin";
    public const string HookTag = "zintrust.plugin.hook";

    private static readonly Meter Meter = new(MeterName, typeof(WorkersInstruments).Assembly.GetName().Version?.ToString());

    public static Counter<long> Enqueued { get; } = Meter.CreateCounter<long>("zintrust.jobs.enqueued", "{job}", "Jobs accepted into a queue.");

    public static Counter<long> Completed { get; } = Meter.CreateCounter<long>("zintrust.jobs.completed", "{job}", "Jobs that completed.");

    public static Counter<long> Retried { get; } = Meter.CreateCounter<long>("zintrust.jobs.retried", "{job}", "Failed attempts scheduled to run again.");

    public static Counter<long> DeadLettered { get; } = Meter.CreateCounter<long>("zintrust.jobs.dead_lettered", "{job}", "Jobs moved to the dead-letter set.");

    public static Counter<long> Stalled { get; } = Meter.CreateCounter<long>("zintrust.jobs.stalled", "{job}", "Leases that expired (the holder died or hung).");

    public static Counter<long> Cancelled { get; } = Meter.CreateCounter<long>("zintrust.jobs.cancelled", "{job}", "Jobs cancelled.");

    public static Counter<long> DeadLettersDropped { get; } = Meter.CreateCounter<long>("zintrust.jobs.dead_letters_dropped", "{job}", "Dead-lettered jobs deleted because the dead-letter set was over its bound.");

    public static Counter<long> Refused { get; } = Meter.CreateCounter<long>("zintrust.jobs.refused", "{job}", "Jobs refused because their queue was full.");

    public static Counter<long> PluginErrors { get; } = Meter.CreateCounter<long>("zintrust.plugin.errors", "{error}", "Plugin hook calls that threw or timed out, by plugin and hook.");

    public static Counter<long> PluginDeferrals { get; } = Meter.CreateCounter<long>("zintrust.plugin.deferrals", "{job}", "Job starts a plugin deferred, by plugin and worker.");

    public static Counter<long> AuditRecorded { get; } = Meter.CreateCounter<long>("zintrust.audit.records", "{record}", "Audit records written durably by the audit log's writer.");

    public static Counter<long> AuditFailures { get; } = Meter.CreateCounter<long>("zintrust.audit.append_failures", "{record}", "Audit records a caller could not get written (logged; the action they describe went on).");

    public const string AlertRuleTag = "zintrust.alert.rule";
    public const string AlertSeverityTag = "zintrust.alert.severity";
    public const string AlertChangeTag = "zintrust.alert.change";

    public static Counter<long> AlertChanges { get; } = Meter.CreateCounter<long>("zintrust.alerts.changes", "{change}", "Alerts raised, escalated, de-escalated and resolved, by rule, severity and change.");

    public static Counter<long> AlertWebhookDeliveries { get; } = Meter.CreateCounter<long>("zintrust.alerts.webhook.deliveries", "{notification}", "Alert webhook notifications by outcome: delivered, failed (after its retries), dropped (the queue was full).");

    public static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>("zintrust.job.duration", "ms", "How long processors ran, by worker and outcome.");

    public static Histogram<double> QueueTime { get; } = Meter.CreateHistogram<double>("zintrust.job.queue_time", "ms", "How long jobs waited before a replica leased them, by queue.");

    public static Histogram<double> LeaseAge { get; } = Meter.CreateHistogram<double>("zintrust.job.lease_age", "ms", "How long leases were held when they ended (completed, failed, stalled, handed back), by queue.");

    public const string StateTag = "zintrust.job.state";

    /// <summary>Jobs in each queue hosted on this silo, by state (waiting, delayed, active, completed, failed, cancelled).</summary>
    public static ObservableGauge<int> Depth { get; } = Meter.CreateObservableGauge("zintrust.queue.depth", QueueDepths.Observe, "{job}", "Jobs in each queue on this silo, by state.");
}

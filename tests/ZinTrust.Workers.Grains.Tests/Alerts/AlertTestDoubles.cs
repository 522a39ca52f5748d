using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Every notification the alert evaluator gave its sinks, in order (one instance shared by the test's silos).</summary>
internal sealed class RecordingAlertSink : IAlertSink
{
    private readonly ConcurrentQueue<AlertNotification> received = new();

    public IReadOnlyList<AlertNotification> Received => [.. received];

    public void Publish(AlertNotification notification) => received.Enqueue(notification);

    public IReadOnlyList<string> Changes(string subject) =>
        [.. received.Where(n => n.Alert.Subject == subject).Select(n => $"{AlertRules.Name(n.Alert.Rule)}:{AlertRules.Name(n.Change)}")];
}

/// <summary>Audit entries appended on the test's silos.</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private readonly ConcurrentQueue<AuditEntry> entries = new();

    public IReadOnlyList<AuditEntry> Entries => [.. entries];

    public ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        entries.Enqueue(entry);
        return ValueTask.CompletedTask;
    }
}

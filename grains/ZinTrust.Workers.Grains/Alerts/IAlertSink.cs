using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>One change of one alert, as sinks receive it.</summary>
internal sealed record AlertNotification(Alert Alert, AlertChange Change, AlertSeverity? PreviousSeverity, DateTimeOffset At, string Silo);

/// <summary>
/// Somewhere alert changes go besides the log, the audit log and plugins (which the evaluator tells itself): the webhook.
/// <see cref="Publish"/> is called in the evaluator's turn and must not block: a sink queues and delivers on its own time.
/// </summary>
internal interface IAlertSink
{
    void Publish(AlertNotification notification);
}

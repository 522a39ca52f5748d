using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class AlertWebhookSink
{
    [LoggerMessage(7210, LogLevel.Debug, "Alert webhook: {Event} of alert {AlertId} delivered (attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string @event, string alertId, int attempt);

    [LoggerMessage(7211, LogLevel.Warning, "Alert webhook: {Event} of alert {AlertId} failed (attempt {Attempt}); retrying in {Delay}: {Failure}")]
    private static partial void LogRetrying(ILogger logger, string @event, string alertId, int attempt, TimeSpan delay, string failure);

    [LoggerMessage(7212, LogLevel.Error, "Alert webhook: {Event} of alert {AlertId} was not delivered after {Attempts} attempts: {Failure}")]
    private static partial void LogFailed(ILogger logger, string @event, string alertId, int attempts, string failure);

    [LoggerMessage(7213, LogLevel.Warning, "Alert webhook: {Event} of alert {AlertId} dropped, {Limit} notifications were already waiting for delivery")]
    private static partial void LogDropped(ILogger logger, string @event, string alertId, int limit);

    [LoggerMessage(7214, LogLevel.Warning, "Alert webhook to {Host} refused: it resolves to {Address}, {Reason}")]
    private static partial void LogRefused(ILogger logger, string host, string address, string reason);
}
